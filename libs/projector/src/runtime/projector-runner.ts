import type { Checkpoint, EventStore, RecordedEvent, Subscription } from '@olist/event-store';
import type { Projection } from '@olist/event-store';

export interface ProjectorStatus {
  readonly name: string;
  /** Last checkpoint applied (undefined: nothing applied yet). */
  readonly checkpoint: Checkpoint | undefined;
  /** Events applied in total: the projection's own count when it keeps one, plus this run's. */
  readonly eventsProjected: number;
  /** Wall-clock time the last batch was applied by this runner. */
  readonly lastBatchAt: Date | undefined;
  /** Following the log: false before start, after stop, and from a failure until it applies or catches up again. */
  readonly running: boolean;
  /** Why it stopped, if it failed (kept while it tries again). */
  readonly error: Error | undefined;
  /** Set while a failure its retry policy calls transient waits for the next attempt. */
  readonly retry: { readonly attempt: number; readonly at: Date } | undefined;
}

/**
 * Default largest batch: the star schema's cost per batch is mostly fixed (a handful of set-based
 * statements), so catch-up throughput grows with the batch size (see libs/analytics/bench/replay.ts).
 */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;

/**
 * Default `lingerRatio`: while a load trickles in, a short batch waits at least three times as long as the batch
 * before took to apply. The star schema's cost per batch grows with its tables (its statements scan them): at 10×
 * the Kaggle size an items batch took ~0.8 s, longer than `lingerMs`, so the projector applied batch after batch,
 * each holding only what arrived while the one before was applied.
 */
export const DEFAULT_LINGER_RATIO = 3;

/** Delay before the n-th attempt in a row after a transient failure: 1 s, doubling, at most 30 s. */
export const defaultRetryDelayMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 30_000);

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

export interface ProjectorRetryPolicy {
  /** Whether trying again later may succeed (e.g. the disk under the DuckDB file was full). Other failures stop the runner for good. */
  readonly retryable: (error: Error) => boolean;
  /** Default {@link defaultRetryDelayMs}. */
  readonly delayMs?: (attempt: number) => number;
}

export interface ProjectorRunnerOptions {
  /** Largest batch handed to the projection (passed to the subscription; default {@link DEFAULT_MAX_BATCH_SIZE}). */
  readonly maxBatchSize?: number;
  /** How long a short batch waits for more events (the subscription's `lingerMs`; default: the store's). */
  readonly lingerMs?: number;
  /** A short batch also waits this many times as long as the batch before took (the subscription's `lingerRatio`; default {@link DEFAULT_LINGER_RATIO}). */
  readonly lingerRatio?: number;
  /** Called after each applied batch (metrics, logs, process managers that react to projected events). Must not throw. */
  readonly onBatch?: (status: ProjectorStatus, batchSize: number, events: ReadonlyArray<RecordedEvent>, seconds: number) => void;
  /** Without one, any failure stops the runner for good (a restart resumes it from its checkpoint). */
  readonly retry?: ProjectorRetryPolicy;
  /** Called on each failure, with the attempt to come when the policy retries it (`status.retry`). Must not throw. */
  readonly onFailure?: (status: ProjectorStatus, error: Error) => void;
  /** Called once a runner that failed applies a batch or catches up again, with the checkpoint it read back and went on from. Must not throw. */
  readonly onResume?: (status: ProjectorStatus, outage: { readonly from: Checkpoint | undefined; readonly attempts: number; readonly seconds: number }) => void;
}

/**
 * Feeds one projection from the global log: catch-up then live, resuming after the projection's stored
 * checkpoint. The subscription delivers batches one at a time; the projection writes each batch and its
 * checkpoint atomically, so stopping or crashing at any point loses or repeats nothing.
 *
 * A failure its retry policy calls transient (the disk under DuckDB is full) is tried again with back-off the way a
 * restart would: the projection is closed and initialised again, and a new subscription starts after the checkpoint
 * it reads back from its store, so whatever the failed batch left (nothing, or all of it) is where it resumes.
 */
export class ProjectorRunner {
  private subscription: Subscription | undefined;
  private current: Checkpoint | undefined;
  private count = 0;
  private lastBatchAt: Date | undefined;
  private error: Error | undefined;
  private retry: ProjectorStatus['retry'];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private outage: { attempts: number; since: number; from?: Checkpoint | undefined } | undefined;
  private stopped = true;
  private failed: Promise<never> | undefined;
  private rejectFailed: ((error: Error) => void) | undefined;
  private attempting: Promise<void> | undefined;
  /** Resolved (and replaced) whenever the runner fails, subscribes again after a failure, or stops. */
  private changed = deferred();

  constructor(
    private readonly store: EventStore,
    private readonly projection: Projection,
    private readonly options: ProjectorRunnerOptions = {},
  ) {}

  get name(): string {
    return this.projection.name;
  }

  /** Initialises the projection and subscribes after its checkpoint. */
  async start(): Promise<void> {
    if (this.subscription || this.retry) throw new Error(`projector ${this.name} is already running`);
    this.stopped = false;
    this.error = undefined;
    this.outage = undefined;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined); // observed through waitUntilCaughtUp/status
    try {
      await this.subscribe();
    } catch (error) {
      if (!this.options.retry?.retryable(error as Error)) throw error;
      this.fail(error as Error); // e.g. started on a full disk: it tries again like any batch
    }
  }

  private async subscribe(): Promise<void> {
    await this.projection.init();
    const after = await this.projection.checkpoint();
    this.current = after;
    this.count = (await this.projection.eventsProjected?.()) ?? 0;
    const subscription: Subscription = this.store.subscribeToAll({
      after,
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      ...(this.options.lingerMs === undefined ? {} : { lingerMs: this.options.lingerMs }),
      lingerRatio: this.options.lingerRatio ?? DEFAULT_LINGER_RATIO,
      handler: async (events, checkpoint) => {
        const started = performance.now();
        await this.projection.apply(events, checkpoint);
        this.current = checkpoint;
        this.count += events.length;
        this.lastBatchAt = new Date();
        this.resumed();
        this.options.onBatch?.(this.status(), events.length, events, (performance.now() - started) / 1000);
      },
      onError: (error) => {
        if (this.subscription === subscription) this.fail(error);
      },
    });
    this.subscription = subscription;
    if (this.outage) subscription.caughtUp().then(() => this.subscription === subscription && this.resumed(), () => undefined);
  }

  private fail(error: Error): void {
    this.subscription = undefined;
    this.error = error;
    if (this.stopped) return;
    const policy = this.options.retry;
    if (policy?.retryable(error)) {
      this.outage ??= { attempts: 0, since: performance.now() };
      const attempt = ++this.outage.attempts;
      const delay = (policy.delayMs ?? defaultRetryDelayMs)(attempt);
      this.retry = { attempt, at: new Date(Date.now() + delay) };
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.attempting = this.tryAgain().finally(() => (this.attempting = undefined));
      }, delay);
      this.options.onFailure?.(this.status(), error);
      this.signalChange();
    } else {
      this.retry = undefined;
      this.options.onFailure?.(this.status(), error);
      this.rejectFailed?.(error);
      this.signalChange();
    }
  }

  /** What a restart does: the projection's connections opened again, its checkpoint read back, a new subscription. */
  private async tryAgain(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.projection.close?.();
      await this.subscribe();
      if (this.outage) this.outage.from = this.current;
      if (this.stopped) return; // stop() waited for this attempt: it stops the new subscription
      this.retry = undefined;
      this.signalChange();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private resumed(): void {
    const outage = this.outage;
    if (!outage) return;
    this.outage = undefined;
    this.error = undefined;
    this.options.onResume?.(this.status(), { from: outage.from, attempts: outage.attempts, seconds: (performance.now() - outage.since) / 1000 });
  }

  private signalChange(): void {
    this.changed.resolve();
    this.changed = deferred();
  }

  status(): ProjectorStatus {
    return {
      name: this.name,
      checkpoint: this.current,
      eventsProjected: this.count,
      lastBatchAt: this.lastBatchAt,
      running: this.subscription !== undefined && this.outage === undefined,
      error: this.error,
      retry: this.retry,
    };
  }

  /**
   * Resolves once everything committed to the store before the call has been applied; rejects if the
   * runner fails for good first (or has failed), or stops. Waits through the attempts of a transient failure.
   */
  async waitUntilCaughtUp(): Promise<void> {
    for (;;) {
      const changed = this.changed.promise;
      if (this.retry) {
        await Promise.race([changed, this.failed!]);
        continue;
      }
      if (this.error && !this.subscription) throw this.error;
      const subscription = this.subscription;
      if (!subscription) throw new Error(`projector ${this.name} is not running`);
      try {
        if (await Promise.race([subscription.caughtUp().then(() => true), changed.then(() => false), this.failed!])) return;
      } catch (error) {
        if (this.subscription === subscription || !this.retry) throw error;
      }
    }
  }

  /**
   * Stops the subscription after the batch in flight (if any) has been applied, then closes the
   * projection's connection: a DuckDB database closed while a connection is still open skips its final
   * checkpoint, leaving every write since the last one in the WAL for the next start to replay.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retry = undefined;
    await this.attempting;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.signalChange();
    await subscription?.stop();
    await this.projection.close?.();
  }
}
