import type { Checkpoint, RecordedEvent, SubscribeOptions, Subscription } from '../port.js';

export interface LogPage {
  readonly events: ReadonlyArray<RecordedEvent>;
  readonly checkpoint: Checkpoint | undefined;
  /** Every transaction below it had ended when the page was read: a short page delivers all of them. */
  readonly horizon: bigint;
}

export interface LogSource {
  readPage(after: Checkpoint | undefined, maxCount: number): Promise<LogPage>;
  /** A horizon that, once delivered, covers everything committed before this call. */
  currentTarget(): Promise<bigint>;
  /** Registers a wake-up for new appends (best effort); returns the unregister function. */
  onAppend(wake: () => void): () => void;
}

export interface PollingOptions {
  readonly pollIntervalMs: number;
  readonly defaultBatchSize: number;
  /** Consecutive read failures tolerated (with exponential back-off) before the subscription fails. */
  readonly maxReadRetries: number;
}

interface Waiter {
  target: bigint | undefined;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Catch-up then live subscription by polling the gap-safe log: one batch at a time, each after the
 * previous handler call resolved, resuming strictly after the last delivered checkpoint. After a full page the
 * next one is read while the handler runs.
 */
export class PollingSubscription implements Subscription {
  private stopped = false;
  private failure: Error | undefined;
  private deliveredHorizon: bigint | undefined;
  private readonly waiters = new Set<Waiter>();
  private wakePending = false;
  private wakeIdle: (() => void) | undefined;
  private endLinger: (() => void) | undefined;
  private readonly unregister: () => void;
  private readonly loop: Promise<void>;

  constructor(
    private readonly source: LogSource,
    private readonly options: SubscribeOptions,
    private readonly polling: PollingOptions,
  ) {
    this.unregister = source.onAppend(() => this.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.unregister();
      this.rejectWaiters(new Error('subscription stopped'));
      this.wake();
      this.endLinger?.();
    }
    await this.loop;
  }

  caughtUp(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.stopped) return Promise.reject(new Error('subscription stopped'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { target: undefined, resolve, reject };
      this.waiters.add(waiter);
      this.source.currentTarget().then(
        (target) => {
          waiter.target = target;
          this.settleWaiters();
          this.wake();
        },
        (error: unknown) => {
          this.waiters.delete(waiter);
          reject(error as Error);
        },
      );
    });
  }

  private async run(): Promise<void> {
    const maxCount = this.options.maxBatchSize ?? this.polling.defaultBatchSize;
    let after = this.options.after;
    let failures = 0;
    /** The page after a full one, read while the handler works on that one (catch-up reads overlap projecting). */
    let ahead: Promise<LogPage> | undefined;
    const lingerMs = this.options.lingerMs ?? 0;
    const lingerRatio = this.options.lingerRatio ?? 0;
    let handlerMs = 0;
    while (!this.stopped) {
      let page: LogPage;
      const readAt = performance.now();
      try {
        if (ahead) page = await ahead;
        else {
          this.wakePending = false;
          page = await this.source.readPage(after, maxCount);
        }
        failures = 0;
      } catch (error) {
        if (++failures > this.polling.maxReadRetries) return this.fail(error as Error);
        await this.idle(Math.min(100 * 2 ** (failures - 1), 5_000));
        continue;
      } finally {
        ahead = undefined;
      }
      if (this.stopped) break;
      if (page.events.length > 0) {
        if (page.events.length === maxCount) {
          ahead = this.source.readPage(page.checkpoint, maxCount);
          ahead.catch(() => undefined); // observed when awaited; a stopped loop never awaits it
        }
        const handed = performance.now();
        try {
          await this.options.handler(page.events, page.checkpoint!);
        } catch (error) {
          return this.fail(error as Error);
        }
        handlerMs = performance.now() - handed;
        after = page.checkpoint;
      }
      if (page.events.length < maxCount) {
        if (this.deliveredHorizon === undefined || page.horizon > this.deliveredHorizon) this.deliveredHorizon = page.horizon;
        this.settleWaiters();
        if (page.events.length === 0) await this.idle(this.polling.pollIntervalMs);
        else await this.linger(Math.max(lingerMs, lingerRatio * handlerMs) - (performance.now() - readAt));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.wakePending || this.stopped) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeIdle = undefined;
        resolve();
      }, ms);
      this.wakeIdle = () => {
        clearTimeout(timer);
        this.wakeIdle = undefined;
        resolve();
      };
    });
  }

  /** Waits `ms` whatever is appended meanwhile (those events make the next batch); only stopping ends it early. */
  private linger(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endLinger = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.endLinger = done;
    });
  }

  private wake(): void {
    if (this.wakeIdle) this.wakeIdle();
    else this.wakePending = true;
  }

  private settleWaiters(): void {
    const horizon = this.deliveredHorizon;
    if (horizon === undefined) return;
    for (const waiter of this.waiters) {
      if (waiter.target !== undefined && horizon >= waiter.target) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }

  private fail(error: Error): void {
    this.failure = error;
    this.stopped = true;
    this.unregister();
    this.rejectWaiters(error);
    this.options.onError?.(error);
  }
}
