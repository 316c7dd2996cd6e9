import type { RecordedEvent } from '@olist/event-store';
import type { CustomerContextEvent } from '@olist/customer';
import type { FulfillmentEvent } from '@olist/fulfillment';
import type { MarketplaceEvent } from '@olist/marketplace';
import type { PersonalDataEvent } from '@olist/personal-data';
import type { SalesEvent } from '@olist/sales';

/** The events the star schema is built from, as their bounded contexts declare them. */
export type StarSchemaEvent = MarketplaceEvent | CustomerContextEvent | SalesEvent | FulfillmentEvent | PersonalDataEvent;
export type EventData<Type extends StarSchemaEvent['type']> = Extract<StarSchemaEvent, { readonly type: Type }>['data'];

/**
 * A recorded event as its context declares it; other types (operational, unknown) fall to a switch's
 * default. Only the type is taken on trust: stored data may not match its declaration (older schema,
 * hand-written log) and a projection never throws on data, so the handlers check the fields they key on
 * and read the others leniently. Null data reads as no fields.
 */
export const asDomainEvent = (event: RecordedEvent): StarSchemaEvent =>
  (event.data == null ? { type: event.type, data: {} } : event) as StarSchemaEvent;

export const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
export const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
export const int = (v: unknown): number => intOrNull(v) ?? 0;
export const hasText = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;
