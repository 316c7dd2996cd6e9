import { CUSTOMER_UPCASTERS } from '@olist/customer';
import { ETL_ORCHESTRATION_UPCASTERS } from '@olist/etl-orchestration';
import { EventSchemaRegistry, type Upcaster } from '@olist/event-store';

/**
 * The upcasters of every bounded context's events. A context that changes an event's shape adds an
 * upcaster from the old version here; writers then stamp the new version, readers see only the new shape.
 */
export const EVENT_UPCASTERS: ReadonlyArray<Upcaster> = [...CUSTOMER_UPCASTERS, ...ETL_ORCHESTRATION_UPCASTERS];

export const EVENT_SCHEMAS = new EventSchemaRegistry(EVENT_UPCASTERS);
