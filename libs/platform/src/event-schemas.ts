import { EventSchemaRegistry, type Upcaster } from '@olist/event-store';

/**
 * The upcasters of every bounded context's events. A context that changes an event's shape adds an
 * upcaster from the old version here; writers then stamp the new version, readers see only the new shape.
 * Every event type is still at version 1.
 */
export const EVENT_UPCASTERS: ReadonlyArray<Upcaster> = [];

export const EVENT_SCHEMAS = new EventSchemaRegistry(EVENT_UPCASTERS);
