/**
 * The event-store port (spec §7). Adapters: PostgreSQL (on `pg` or PGlite) and EventStoreDB.
 *
 * Revisions are 0-based `bigint`s (the first event of a stream has revision 0n). Global positions are
 * opaque, adapter-specific {@link Checkpoint} tokens: never a bare number.
 */

/** An opaque, serialisable position in the global log. Adapters encode it so that string order is log order. */
export type Checkpoint = string & { readonly __checkpoint: unique symbol };

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface EventData {
  /** Deterministic UUID: appending the same id again is idempotent. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  /** 0-based revision within the stream. */
  readonly revision: bigint;
  /** Position in the global log. */
  readonly position: Checkpoint;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

export interface AppendRequest {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: ReadonlyArray<EventData>;
}

export interface AppendResult {
  readonly streamId: string;
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: bigint;
  /** Position of the last event written (or of the original write, when idempotent). */
  readonly position: Checkpoint;
  /** True when every event id was already stored and nothing was written. */
  readonly idempotent: boolean;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive start revision (default: start for forwards, end for backwards). */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this checkpoint. Omitted: from the start of the log. */
  readonly after?: Checkpoint;
  readonly maxCount?: number;
}

export interface ReadAllPage {
  readonly events: ReadonlyArray<RecordedEvent>;
  /** Checkpoint of the last event returned, or the `after` given when the page is empty. */
  readonly checkpoint: Checkpoint | undefined;
}

export interface SubscribeOptions {
  /** Exclusive start: deliver events strictly after it. Omitted: from the start of the log. */
  readonly after?: Checkpoint;
  /** Largest batch handed to the handler at once. */
  readonly maxBatchSize?: number;
  /**
   * How long a short batch (live, not catching up) waits for more events before it is handed over, so that events
   * appended meanwhile go together: a handler with a fixed cost per call (a transaction, set-based statements over
   * large tables) then makes fewer calls while appends trickle in. PostgreSQL: the next read comes at least this
   * long after the one that found a short page. A `caughtUp` may resolve up to this much later. Default: the
   * adapter's (PostgreSQL 0, EventStoreDB 20 ms).
   */
  readonly lingerMs?: number;
  /**
   * After a short batch, linger also at least this many times as long as the handler took on the batch before (default
   * 0: `lingerMs` alone). A handler whose fixed cost per call grows with its data (statements that scan tables) then
   * takes larger batches as its data grows, and spends at most 1/`lingerRatio` of a trickling load's time on them.
   */
  readonly lingerRatio?: number;
  /**
   * Called with consecutive batches in global order. The next batch is not delivered before the
   * returned promise resolves. `checkpoint` is the position of the batch's last event: persist it
   * with the batch's effects and resume with `after: checkpoint`.
   */
  readonly handler: (events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint) => Promise<void>;
  /** Called once when the handler throws or the store fails for good; the subscription is then stopped. */
  readonly onError?: (error: Error) => void;
}

export interface Subscription {
  /** Stops delivering; resolves when the handler in flight (if any) has finished. */
  stop(): Promise<void>;
  /** Resolves once everything committed before this call has been handed to the handler. */
  caughtUp(): Promise<void>;
}

export interface EventStore {
  /** Appends to one stream, enforcing the expected revision. */
  appendToStream(
    streamId: string,
    events: ReadonlyArray<EventData>,
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /**
   * Appends to several streams atomically where the adapter can (PostgreSQL: one transaction); every
   * expected revision is checked, and any violation fails the whole batch with {@link WrongExpectedVersionError}.
   * Where the adapter cannot (EventStoreDB), the error's `applied` tells which requests stay applied.
   */
  appendMany(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendResult>>;
  /** Reads one stream; an absent stream reads as []. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<ReadonlyArray<RecordedEvent>>;
  /** Reads many whole streams at once (the command side loads a batch's aggregates with it). */
  readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>>;
  /** Reads the global log forwards, gap-safe: never returns an event before one that may still commit earlier. */
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /**
   * How many events the global log holds after `after` (the whole log when omitted), counting at most `limit`:
   * a projection's lag behind the head of the log. Not gap-safe: it counts every committed event.
   */
  countAfter(after: Checkpoint | undefined, limit: number): Promise<number>;
  /** Catch-up then live subscription to the global log. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
    /**
     * From `appendMany` on an adapter without multi-stream transactions (EventStoreDB): aligned with the
     * requests, the result of each request that stays applied, `undefined` for the others. Empty when nothing
     * was applied, and always when the adapter rolls the whole batch back (PostgreSQL).
     */
    readonly applied: ReadonlyArray<AppendResult | undefined> = [],
  ) {
    super(`wrong expected version for stream ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/**
 * The store could not serve the call now (EventStoreDB: unavailable, not leader, deadline exceeded, call
 * cancelled by a reconnection); trying again later may succeed. From `appendMany`, `applied` is as in
 * {@link WrongExpectedVersionError}: what stays written of the batch on an adapter without multi-stream transactions.
 */
export class EventStoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly applied: ReadonlyArray<AppendResult | undefined> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The same event ids were appended to a stream at different revisions, or only some of them were stored. */
export class IdempotencyConflictError extends Error {
  constructor(readonly streamId: string, message: string) {
    super(`idempotency conflict on stream ${streamId}: ${message}`);
    this.name = 'IdempotencyConflictError';
  }
}
