import type { AppendRequest, EventData, EventStore, RecordedEvent } from '@olist/event-store';
import { deterministicId, type Decider, type Decision, type DomainEvent, type EventMetadata, type Provenance } from '@olist/shared-kernel';

/** Who and what caused the events of one row: becomes their metadata. */
export interface RowContext {
  readonly runId: string;
  readonly actor: string;
  readonly recordedAt: string;
  readonly provenance: Provenance;
  /** Id of the row's command. */
  readonly commandId: string;
}

interface LoadedStream {
  state: unknown;
  readonly revision: bigint | undefined;
  readonly pending: EventData[];
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

/** Schema versions of the events we write (bumped with an upcaster when a shape changes). */
export const SCHEMA_VERSION = 1;

/**
 * The aggregates one batch touches: loaded with one read, decided on in memory row after row (so two rows
 * of a batch on one stream see each other), and appended with one atomic `appendMany`.
 */
export class BatchUnitOfWork {
  private readonly streams = new Map<string, LoadedStream>();
  private readonly extra: AppendRequest[] = [];

  private constructor(private readonly loaded: ReadonlyMap<string, ReadonlyArray<RecordedEvent>>) {}

  static async load(store: EventStore, streamIds: Iterable<string>): Promise<BatchUnitOfWork> {
    return new BatchUnitOfWork(await store.readStreams([...new Set(streamIds)]));
  }

  private stream<S>(streamId: string, decider: Decider<never, S, DomainEvent>): LoadedStream {
    let s = this.streams.get(streamId);
    if (!s) {
      const events = this.loaded.get(streamId) ?? [];
      const state = events.reduce<S>((acc, e) => decider.evolve(acc, { type: e.type, data: e.data as object }), decider.initialState());
      s = { state, revision: events.length > 0 ? events[events.length - 1]!.revision : undefined, pending: [] };
      this.streams.set(streamId, s);
    }
    return s;
  }

  /** Whether the stream has any event, loaded or pending. */
  exists(streamId: string): boolean {
    const s = this.streams.get(streamId);
    return (s !== undefined && (s.revision !== undefined || s.pending.length > 0)) || (this.loaded.get(streamId)?.length ?? 0) > 0;
  }

  /** Lets the stream's aggregate decide; accepted events are kept pending with their metadata. */
  decide<C, S, E extends DomainEvent>(streamId: string, decider: Decider<C, S, E>, command: C, context: RowContext): Decision<E> {
    const stream = this.stream(streamId, decider as unknown as Decider<never, S, DomainEvent>);
    const decision = decider.decide(command, stream.state as S);
    if (decision.kind === 'accepted') {
      for (const event of decision.events) {
        stream.state = decider.evolve(stream.state as S, event);
        stream.pending.push(toEventData(streamId, event, context));
      }
    }
    return decision;
  }

  /** Appends events that no aggregate of this batch owns (e.g. RowRejected on the pipeline run's stream). */
  appendUnconditionally(request: AppendRequest): void {
    this.extra.push(request);
  }

  /** Appends everything pending atomically; returns how many events were written (idempotent re-appends excluded). */
  async commit(store: EventStore): Promise<number> {
    const requests: AppendRequest[] = [];
    for (const [streamId, s] of this.streams) {
      if (s.pending.length === 0) continue;
      requests.push({ streamId, expectedRevision: s.revision ?? 'no_stream', events: s.pending });
    }
    requests.push(...this.extra);
    if (requests.length === 0) return 0;
    const results = await store.appendMany(requests);
    return results.reduce((n, result, i) => (result.idempotent ? n : n + requests[i]!.events.length), 0);
  }
}

export const toEventData = (streamId: string, event: DomainEvent, context: RowContext): EventData => {
  const eventId = deterministicId(streamId, event.type, context.provenance.rowHash);
  const metadata: EventMetadata = {
    eventId,
    schemaVersion: SCHEMA_VERSION,
    occurredAt: occurredAt(event, context.recordedAt),
    recordedAt: context.recordedAt,
    correlationId: context.runId,
    causationId: context.commandId,
    actor: context.actor,
    provenance: context.provenance,
  };
  return { id: eventId, type: event.type, data: event.data, metadata: { ...metadata } };
};
