import type { EventData } from '@olist/event-store';
import type { DomainEvent, EventMetadata, Provenance } from '@olist/shared-kernel';
import { EVENT_SCHEMAS } from './event-schemas.js';

/** Who and what caused an event: becomes its metadata (spec §5). */
export interface CausationContext {
  /** The pipeline run (correlation id). */
  readonly runId: string;
  readonly actor: string;
  /** Ingestion time: the command side's clock when the command arrived. */
  readonly recordedAt: string;
  /** Id of the command that decided the event. */
  readonly commandId: string;
  readonly provenance?: Provenance;
  /** The data key that seals the event's personal fields (a customer id), when it has any. */
  readonly personalDataKey?: string;
  /** The request's `Idempotency-Key`, when it sent one. */
  readonly requestKey?: string;
}

/**
 * A decided event with its deterministic id and metadata, ready to append. `occurredAt` is the business time
 * its decider gives it (`Decider.occurredAt`), never the clock.
 */
export const toEventData = (event: DomainEvent, eventId: string, context: CausationContext, occurredAt: string | null): EventData => {
  const metadata: EventMetadata = {
    eventId,
    schemaVersion: EVENT_SCHEMAS.currentVersion(event.type),
    occurredAt,
    recordedAt: context.recordedAt,
    correlationId: context.runId,
    causationId: context.commandId,
    actor: context.actor,
    ...(context.provenance ? { provenance: context.provenance } : {}),
    ...(context.personalDataKey ? { personalDataKey: context.personalDataKey } : {}),
    ...(context.requestKey ? { requestKey: context.requestKey } : {}),
  };
  return { id: eventId, type: event.type, data: event.data, metadata: { ...metadata } };
};
