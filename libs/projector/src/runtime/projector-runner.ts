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
}

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
    await this.projection.init();
    const after = await this.projection.checkpoint();
    this.current = after;
    this.count = (await this.projection.eventsProjected?.()) ?? 0;
    this.error = undefined;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined); // observed through waitUntilCaughtUp/status
    this.subscription = this.store.subscribeToAll({
      after,
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      handler: async (events, checkpoint) => {
        const started = performance.now();
        await this.projection.apply(events, checkpoint);
        this.current = checkpoint;
        this.count += events.length;
        this.lastBatchAt = new Date();
        this.options.onBatch?.(this.status(), events.length, events, (performance.now() - started) / 1000);
      },
      onError: (error) => {
        this.error = error;
        this.subscription = undefined;
        this.rejectFailed?.(error);
      },
    });
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
   * subscription fails first (or has failed).
   */
  async waitUntilCaughtUp(): Promise<void> {
    if (this.error) throw this.error;
    const subscription = this.subscription;
    if (!subscription) throw new Error(`projector ${this.name} is not running`);
    await Promise.race([subscription.caughtUp(), this.failed!]);
  }

  /**
   * Stops the subscription after the batch in flight (if any) has been applied, then closes the
   * projection's connection: a DuckDB database closed while a connection is still open skips its final
   * checkpoint, leaving every write since the last one in the WAL for the next start to replay.
   */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.projection.close?.();
  }
}
