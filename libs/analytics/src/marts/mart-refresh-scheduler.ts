import type { DuckDbClient, DuckDbDatabase } from '@olist/duckdb';
import { MartRefresher, type MartRefreshResult } from './mart-refresher.js';

export interface MartRefreshSchedulerOptions {
  /** Refresh once no batch arrived for this long (default 500 ms). */
  readonly idleMs?: number;
  /** While batches keep arriving, refresh at the latest this long after the first unrefreshed one (default 10 s). */
  readonly maxDelayMs?: number;
  /**
   * A background refresh starts no sooner than this many times the last refresh's duration after it ended
   * (default 10): while a large load keeps the projector busy, refreshing takes at most about a tenth of its
   * time, however long the marts take to build. {@link refreshNow} is never held back.
   */
  readonly minGapFactor?: number;
  /** Default: a {@link MartRefresher} over the repository's `projections/duckdb/marts`. */
  readonly refresher?: MartRefresher;
  /** Called after each background refresh. Must not throw. */
  readonly onRefresh?: (result: MartRefreshResult) => void;
  /** Called when a refresh fails (the marts keep their previous content), with when it is tried again (undefined: stopping). Must not throw. */
  readonly onError?: (error: Error, retryInMs: number | undefined) => void;
}

/** A failed background refresh is tried again after 1 s, doubling up to a minute, unless a batch asks sooner. */
const retryDelayMs = (failures: number): number => Math.min(1000 * 2 ** (failures - 1), 60_000);

/**
 * Debounced mart refreshes for a running projector: {@link notify} after each applied batch; the marts
 * are rebuilt once the projector has been idle for `idleMs`, and at least every `maxDelayMs` while it
 * is busy, but never sooner after the last refresh than `minGapFactor` times its duration. Refreshes (background ones and {@link refreshNow}) run one at a time on the scheduler's own
 * connection; each is one transaction reading a committed snapshot of the star schema.
 */
export class MartRefreshScheduler {
  readonly refresher: MartRefresher;
  private readonly idleMs: number;
  private readonly maxDelayMs: number;
  private client: Promise<DuckDbClient> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirtySince: number | undefined;
  /** When the last refresh ended and how long it took (ms). */
  private lastRun = { endedAt: 0, durationMs: 0 };
  private stopped = false;
  private last: MartRefreshResult | undefined;
  private lastError: Error | undefined;
  /** Background refreshes failed in a row. */
  private failures = 0;

  constructor(
    private readonly db: DuckDbDatabase,
    private readonly options: MartRefreshSchedulerOptions = {},
  ) {
    this.refresher = options.refresher ?? new MartRefresher();
    this.idleMs = options.idleMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
  }

  /** The star schema changed: schedule a refresh. */
  notify(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.dirtySince ??= now;
    const gap = (this.options.minGapFactor ?? 10) * this.lastRun.durationMs;
    const due = Math.max(Math.min(now + this.idleMs, this.dirtySince + this.maxDelayMs), this.lastRun.endedAt + gap);
    this.schedule(Math.max(0, due - now));
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshNow().then(
        (result) => {
          this.failures = 0;
          this.options.onRefresh?.(result);
        },
        (error: unknown) => {
          // The marts stay behind the star schema until a refresh succeeds (the disk was full…): try again even if no batch comes.
          const retryInMs = this.stopped ? undefined : retryDelayMs(++this.failures);
          this.options.onError?.(error instanceof Error ? error : new Error(String(error)), retryInMs);
          if (retryInMs === undefined) return;
          this.dirtySince ??= Date.now();
          if (!this.timer) this.schedule(retryInMs);
        },
      );
    }, delayMs);
    this.timer.unref?.();
  }

  /** Rebuilds the marts now (after any refresh in flight) and resolves with the result. */
  refreshNow(): Promise<MartRefreshResult> {
    if (this.stopped) return Promise.reject(new Error('mart refresh scheduler is stopped'));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.chain.then(async () => {
      this.dirtySince = undefined; // batches committed from here on need another refresh
      this.client ??= this.db.connect();
      const started = Date.now();
      try {
        this.last = await this.refresher.refresh(await this.client);
        this.lastError = undefined;
        return this.last;
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        this.lastRun = { endedAt: Date.now(), durationMs: Date.now() - started };
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the marts up to the star schema as it is now: runs a pending refresh at once (even one held
   * back by `minGapFactor`), or waits for the one in flight; resolves at once when nothing is owed.
   */
  async settle(): Promise<MartRefreshResult | undefined> {
    if (this.timer || this.dirtySince !== undefined) return this.refreshNow();
    await this.chain;
    return undefined;
  }

  status(): { readonly pending: boolean; readonly last: MartRefreshResult | undefined; readonly error: Error | undefined } {
    return { pending: this.dirtySince !== undefined, last: this.last, error: this.lastError };
  }

  /**
   * Stops scheduling: a refresh still pending (batches applied since the last one) runs now, so the marts
   * a stopped projector leaves behind match its star schema; then closes the connection.
   */
  async stop(): Promise<void> {
    await this.settle().then(
      (result) => result && this.options.onRefresh?.(result),
      (error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error)), undefined),
    );
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    const client = this.client;
    this.client = undefined;
    if (client) (await client).close();
  }
}
