import { EventStoreUnavailableError, WrongExpectedVersionError, type AppendRequest, type AppendResult, type EventData, type EventStore, type RecordedEvent } from '@olist/event-store';
import { toEventData } from '@olist/event-catalog';
import type { RowCommand } from '@olist/ingestion';
import { EventIds, fold, rowsHash, type Decider, type Decision, type DomainEvent, type Provenance } from '@olist/shared-kernel';
import { routeOf, type DecidingUnit, type RowContext } from './row-command-routes.js';

export type { RowContext } from './row-command-routes.js';

interface LoadedStream {
  state: unknown;
  readonly revision: bigint | undefined;
  readonly pending: PendingEvent[];
}

/** A decided event, its metadata made at commit: a coalescing aggregate may still fold later rows' events into it. */
interface PendingEvent {
  event: DomainEvent;
  readonly context: RowContext;
  readonly occurredAt: string | null;
  readonly revision: bigint;
  /** The provenance of every row the event records, the first row's first. */
  readonly rows: Provenance[];
}

/**
 * The aggregates one batch touches: loaded with one read (the streams each row command's route reads), decided
 * on in memory row after row (so two rows of a batch on one stream see each other), and appended with one
 * atomic `appendMany`.
 */
export class BatchUnitOfWork implements DecidingUnit {
  private readonly streams = new Map<string, LoadedStream>();
  private readonly extra: AppendRequest[] = [];
  /** The streams each command (by id) added events to. */
  private readonly written = new Map<string, Set<string>>();

  private constructor(private readonly loaded: ReadonlyMap<string, ReadonlyArray<RecordedEvent>>) {}

  /** Loads what `commands` read, and `alsoRead` (streams the handler decides on itself). */
  static async load(store: EventStore, commands: Iterable<RowCommand>, alsoRead: ReadonlyArray<string> = []): Promise<BatchUnitOfWork> {
    const streams = new Set(alsoRead);
    for (const command of commands) for (const stream of routeOf(command).streamsRead(command)) streams.add(stream);
    return new BatchUnitOfWork(await store.readStreams([...streams]));
  }

  /** A row command, decided by the aggregate its route names. */
  decideRow(command: RowCommand, context: RowContext): Decision<DomainEvent> {
    return routeOf(command).decide(command, this, context);
  }

  /** The state of a loaded stream folded by `decider`, and the revision it was read at (to append after the batch). */
  loadedState<S, E extends DomainEvent>(streamId: string, decider: Pick<Decider<never, S, E>, 'initialState' | 'evolve'>): { state: S; revision: bigint | undefined } {
    const events = this.loaded.get(streamId) ?? [];
    return { state: fold(decider, events.map((e) => ({ type: e.type, data: e.data }) as E)), revision: events.at(-1)?.revision };
  }

  private stream<S>(streamId: string, decider: Decider<never, S, DomainEvent>): LoadedStream {
    let s = this.streams.get(streamId);
    if (!s) {
      s = { ...this.loadedState(streamId, decider), pending: [] };
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
    const decidedOn = stream.state as S;
    const decision = decider.decide(command, decidedOn);
    if (decision.kind === 'accepted') {
      for (const event of decision.events) {
        stream.state = decider.evolve(stream.state as S, event);
        const last = stream.pending.at(-1);
        const coalesced = last && last.event.type === event.type ? decider.coalesce?.(last.event as E, event) : undefined;
        if (coalesced) {
          last!.event = coalesced;
          last!.rows.push(context.provenance);
          continue;
        }
        const revision = (stream.revision ?? -1n) + BigInt(stream.pending.length) + 1n;
        stream.pending.push({ event, context, occurredAt: decider.occurredAt(event, command, decidedOn), revision, rows: [context.provenance] });
      }
      if (decision.events.length > 0) {
        const streams = this.written.get(context.commandId) ?? new Set<string>();
        this.written.set(context.commandId, streams.add(streamId));
      }
    }
    return decision;
  }

  /**
   * What an earlier attempt of the same request (`requestKey`: one per batch, the same on its retries) left in
   * the streams this batch loaded: the lines of `file` whose events it wrote, how many row events, and the
   * outcome it recorded, if it got that far. An attempt whose answer was lost (the API killed, PostgreSQL
   * restarting after the commit) is found by it.
   */
  writtenBy(requestKey: string, file: string): { lines: Set<number>; events: number; recordedEventsAppended: number | undefined } {
    const lines = new Set<number>();
    let events = 0;
    let recordedEventsAppended: number | undefined;
    for (const stream of this.loaded.values()) {
      for (const e of stream) {
        if (e.metadata.requestKey !== requestKey) continue;
        if (e.type === 'SourceBatchIngested') {
          recordedEventsAppended = (e.data as { eventsAppended: number }).eventsAppended;
          continue;
        }
        const provenance = e.metadata.provenance as Provenance | undefined;
        if (provenance?.file !== file) continue;
        events += 1;
        for (const line of provenance.lines ?? [provenance.line]) lines.add(line);
      }
    }
    return { lines, events, recordedEventsAppended };
  }

  /** Appends events that no aggregate of this batch owns (e.g. RowRejected on the pipeline run's stream). */
  appendUnconditionally(request: AppendRequest): void {
    this.extra.push(request);
  }

  /**
   * Appends everything pending atomically. Returns how many events were written and which commands wrote
   * nothing new: a concurrent writer had already appended exactly their events (same deterministic ids).
   */
  async commit(store: EventStore, earlier: WrittenEarlier): Promise<{ eventsAppended: number; extraFoundStored: number; alreadyStored: (commandId: string) => boolean }> {
    const requests: AppendRequest[] = [];
    for (const [streamId, s] of this.streams) {
      if (s.pending.length === 0) continue;
      requests.push({ streamId, expectedRevision: s.revision ?? 'no_stream', events: s.pending.map((p) => rowEventData(streamId, p)) });
    }
    requests.push(...this.extra);
    let results: ReadonlyArray<AppendResult>;
    try {
      results = requests.length > 0 ? await store.appendMany(requests) : [];
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || error instanceof EventStoreUnavailableError) this.recordWritten(requests, error.applied, earlier);
      throw error;
    }
    const idempotent = new Set(results.filter((r) => r.idempotent).map((r) => r.streamId));
    const firstExtra = requests.length - this.extra.length;
    return {
      eventsAppended: eventsWritten(requests, results),
      extraFoundStored: results.reduce((n, r, i) => (i >= firstExtra && r.idempotent ? n + requests[i]!.events.length : n), 0),
      alreadyStored: (commandId) => [...(this.written.get(commandId) ?? [])].every((s) => idempotent.has(s)),
    };
  }

  /** Records what the requests that stayed applied after a failed append wrote: their events and their commands. */
  private recordWritten(requests: ReadonlyArray<AppendRequest>, applied: ReadonlyArray<AppendResult | undefined>, earlier: WrittenEarlier): void {
    const streams = new Set(applied.flatMap((result, i) => (!result || result.idempotent || requests[i]!.events.length === 0 ? [] : [result.streamId])));
    earlier.eventsAppended += eventsWritten(requests, applied);
    for (const [commandId, touched] of this.written) if ([...touched].some((s) => streams.has(s))) earlier.commands.add(commandId);
  }
}

/**
 * What failed attempts of one batch left written. Only a store without multi-stream transactions (EventStoreDB)
 * leaves anything: an append that fails part-way keeps the streams it had written. Deciding the batch again, the
 * handler finds those events stored: they are its own, not a concurrent writer's duplicates.
 */
export class WrittenEarlier {
  eventsAppended = 0;
  /** Commands (by id) with events in the requests that stayed written. */
  readonly commands = new Set<string>();

  get any(): boolean {
    return this.eventsAppended > 0;
  }
}

const eventsWritten = (requests: ReadonlyArray<AppendRequest>, results: ReadonlyArray<AppendResult | undefined>): number =>
  results.reduce((n, result, i) => (!result || result.idempotent ? n : n + requests[i]!.events.length), 0);

/** A correction event (`…Corrected`): a changed source row for an aggregate that already has its facts. */
const isCorrection = (event: DomainEvent): boolean => event.type.endsWith('Corrected');

/** The event's id and metadata; of an event recording several rows, from all of them (the first row's causation). */
const rowEventData = (streamId: string, { event, context, occurredAt, revision, rows }: PendingEvent): EventData => {
  const provenance: Provenance = rows.length === 1 ? context.provenance : {
    file: context.provenance.file,
    line: context.provenance.line,
    rowHash: rowsHash(rows.map((r) => r.rowHash)),
    lines: rows.map((r) => r.line),
  };
  const id = isCorrection(event)
    ? EventIds.correctionFromRow(streamId, event.type, provenance.rowHash, revision)
    : EventIds.fromRow(streamId, event.type, provenance.rowHash);
  return toEventData(event, id, { ...context, provenance }, occurredAt);
};
