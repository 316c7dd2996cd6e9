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
  readonly running: boolean;
  /** Why the subscription stopped, if it failed. */
  readonly error: Error | undefined;
}

/**
 * Default largest batch: the star schema's cost per batch is mostly fixed (a handful of set-based
 * statements), so catch-up throughput grows with the batch size (see libs/analytics/bench/replay.ts).
 */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;

export interface ProjectorRunnerOptions {
  /** Largest batch handed to the projection (passed to the subscription; default {@link DEFAULT_MAX_BATCH_SIZE}). */
  readonly maxBatchSize?: number;
  /** Called after each applied batch (metrics, logs, process managers that react to projected events). Must not throw. */
  readonly onBatch?: (status: ProjectorStatus, batchSize: number, events: ReadonlyArray<RecordedEvent>, seconds: number) => void;
  /**
   * After a failure (the event store or the projection's database unreachable, a full disk), start again from
   * the projection's stored checkpoint after these delays, the last repeated until a batch applies again.
   * Default: none, the runner stays failed.
   */
  readonly restartDelaysMs?: ReadonlyArray<number>;
  /** Called with each failure, and the delay before the next start (undefined: the runner stays failed). Must not throw. */
  readonly onFailure?: (error: Error, restartInMs: number | undefined) => void;
}

const signal = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * Feeds one projection from the global log: catch-up then live, resuming after the projection's stored
 * checkpoint. The subscription delivers batches one at a time; the projection writes each batch and its
 * checkpoint atomically, so stopping or crashing at any point loses or repeats nothing.
 */
export class ProjectorRunner {
  private subscription: Subscription | undefined;
  private current: Checkpoint | undefined;
  private count = 0;
  private lastBatchAt: Date | undefined;
  private error: Error | undefined;
  private failed: Promise<never> | undefined;
  private rejectFailed: ((error: Error) => void) | undefined;
  /** Failures since the last applied batch: picks the restart delay. */
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting = false;
  private stopped = false;
  /** Settled at every start, failure and stop: what a waiter that saw the runner down waits for. */
  private changed = signal();

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
    if (this.subscription) throw new Error(`projector ${this.name} is already running`);
    this.stopped = false;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined); // observed through waitUntilCaughtUp/status
    await this.projection.init();
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    const after = await this.projection.checkpoint();
    this.current = after;
    this.count = (await this.projection.eventsProjected?.()) ?? 0;
    this.error = undefined;
    this.subscription = this.store.subscribeToAll({
      after,
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      handler: async (events, checkpoint) => {
        const started = performance.now();
        await this.projection.apply(events, checkpoint);
        this.current = checkpoint;
        this.count += events.length;
        this.lastBatchAt = new Date();
        this.failures = 0;
        this.options.onBatch?.(this.status(), events.length, events, (performance.now() - started) / 1000);
      },
      onError: (error) => this.fail(error),
    });
    this.notifyChange();
  }

  private fail(error: Error): void {
    this.error = error;
    this.subscription = undefined;
    const delays = this.options.restartDelaysMs ?? [];
    const delay = this.stopped || delays.length === 0 ? undefined : delays[Math.min(this.failures, delays.length - 1)]!;
    this.failures += 1;
    this.options.onFailure?.(error, delay);
    if (delay === undefined) this.rejectFailed?.(error);
    else {
      this.restarting = true;
      this.restartTimer = setTimeout(() => void this.restart(), delay);
    }
    this.notifyChange();
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (this.stopped) return;
    try {
      await this.subscribe();
      this.restarting = false;
    } catch (error) {
      this.fail(error as Error); // the checkpoint could not be read yet: wait again
    }
  }

  private notifyChange(): void {
    this.changed.resolve();
    this.changed = signal();
  }

  status(): ProjectorStatus {
    return {
      name: this.name,
      checkpoint: this.current,
      eventsProjected: this.count,
      lastBatchAt: this.lastBatchAt,
      running: this.subscription !== undefined,
      error: this.error,
    };
  }

  /**
   * Resolves once everything committed to the store before the call has been applied; rejects if the
   * subscription fails first (or has failed) and will not start again. A runner that restarts after
   * failures is waited for.
   */
  async waitUntilCaughtUp(): Promise<void> {
    for (;;) {
      const subscription = this.subscription;
      const changed = this.changed.promise;
      if (!subscription) {
        if (this.restarting && !this.stopped) {
          await changed;
          continue;
        }
        if (this.error) throw this.error;
        throw new Error(`projector ${this.name} is not running`);
      }
      try {
        const outcome = await Promise.race([subscription.caughtUp().then(() => 'caught up' as const), this.failed!, changed.then(() => 'changed' as const)]);
        if (outcome === 'caught up') return;
      } catch (error) {
        if (!this.restarting || this.stopped) throw error;
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
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.restarting = false;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.notifyChange();
    await subscription?.stop();
    await this.projection.close?.();
  }
}
