import type { Checkpoint, RecordedEvent } from '@olist/event-store';

/** Checkpoints whose string order is log order. */
export const checkpointAt = (n: number): Checkpoint => `cp-${String(n).padStart(10, '0')}` as Checkpoint;

/**
 * Builds RecordedEvents by hand, as an event store would hand them out: increasing global positions,
 * 0-based revisions per stream.
 */
export class EventLog {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, bigint>();

  add(streamId: string, type: string, data: Record<string, unknown>): RecordedEvent {
    const revision = this.revisions.get(streamId) ?? 0n;
    this.revisions.set(streamId, revision + 1n);
    const n = this.events.length + 1;
    const event: RecordedEvent = {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type,
      streamId,
      revision,
      position: checkpointAt(n),
      data,
      metadata: { schemaVersion: 1, occurredAt: '2017-01-01T00:00:00.000Z', correlationId: 'run-1', causationId: `cmd-${n}`, actor: 'test' },
      recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)),
    };
    this.events.push(event);
    return event;
  }
}

/** Splits events into consecutive batches of the given sizes (the last size repeats). */
export const batches = (events: ReadonlyArray<RecordedEvent>, ...sizes: number[]): RecordedEvent[][] => {
  const out: RecordedEvent[][] = [];
  let i = 0;
  let k = 0;
  while (i < events.length) {
    const size = sizes[Math.min(k++, sizes.length - 1)]!;
    out.push(events.slice(i, i + size));
    i += size;
  }
  return out;
};

export const lastCheckpoint = (events: ReadonlyArray<RecordedEvent>): Checkpoint => events.at(-1)!.position;
