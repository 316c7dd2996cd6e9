import type { EventData } from '@olist/event-store';
import { EVENT_SCHEMAS } from './event-schemas.js';
import type { DomainEvent, EventMetadata, Provenance } from '@olist/shared-kernel';


/** Who and what caused an event: becomes its metadata (spec §5). */
export interface CausationContext {
  /** The pipeline run (correlation id). */
  readonly runId: string;
  readonly actor: string;
  readonly recordedAt: string;
  /** Id of the command that decided the event. */
  readonly commandId: string;
  readonly provenance?: Provenance;
}

/** Business-time fields, in order of preference, that give an event its `occurredAt`. */
const BUSINESS_TIME_FIELDS = ['purchasedAt', 'approvedAt', 'deliveredAt', 'dispatchedAt', 'answeredAt', 'createdAt', 'startedAt', 'completedAt'] as const;

const occurredAt = (event: DomainEvent, fallback: string): string => {
  const data = event.data as Record<string, unknown>;
  for (const field of BUSINESS_TIME_FIELDS) {
    const v = data[field];
    if (typeof v === 'string') return v;
  }
  return fallback;
};

/** A decided event with its deterministic id and metadata, ready to append. */
export const toEventData = (event: DomainEvent, eventId: string, context: CausationContext): EventData => {
  const metadata: EventMetadata = {
    eventId,
    schemaVersion: EVENT_SCHEMAS.currentVersion(event.type),
    occurredAt: occurredAt(event, context.recordedAt),
    recordedAt: context.recordedAt,
    correlationId: context.runId,
    causationId: context.commandId,
    actor: context.actor,
    ...(context.provenance ? { provenance: context.provenance } : {}),
  };
  return { id: eventId, type: event.type, data: event.data, metadata: { ...metadata } };
};
