import type { RecordedEvent } from '@olist/event-store';

/** An event as auditors see it: its data and every metadata field, revision and position as text. */
export const eventView = (e: RecordedEvent) => {
  const m = e.metadata as Record<string, unknown>;
  return {
    eventId: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision.toString(),
    position: e.position,
    schemaVersion: m.schemaVersion ?? 1,
    ...(m.storedSchemaVersion !== undefined ? { storedSchemaVersion: m.storedSchemaVersion } : {}),
    occurredAt: m.occurredAt ?? null,
    recordedAt: m.recordedAt ?? e.recordedAt.toISOString(),
    correlationId: m.correlationId ?? null,
    causationId: m.causationId ?? null,
    actor: m.actor ?? null,
    provenance: m.provenance ?? null,
    data: e.data,
  };
};
export type EventView = ReturnType<typeof eventView>;
