import * as esdb from '@eventstore/db-client';
import type { Checkpoint, RecordedEvent, SubscribeOptions, Subscription } from '../port.js';
import { decodeEsdbCheckpoint } from './checkpoint.js';
import { toRecordedEvent } from './events.js';

/** How long a short batch waits for more live events before it is handed over. */
const LINGER_MS = 20;

export interface ReconnectOptions {
  /** Consecutive failed (re)subscriptions (no confirmation in between) before giving up through onError (default 20). */
  readonly maxAttempts?: number;
  /** Delay before resubscribing after a drop (default 200 ms, doubling up to 5 s). */
  readonly delayMs?: number;
}

/**
 * A catch-up subscription to `$all` with the server-side `excludeSystemEvents()` filter. Events are queued
 * (pausing the gRPC stream when the queue is long) and handed to the handler in batches, one batch at a time.
 * When the server drops the subscription, it resubscribes after the last handled checkpoint; anything queued
 * but not yet handled is read again, and nothing at or before the handled checkpoint is delivered twice.
 */
export class EsdbCatchUpSubscription implements Subscription {
  private position: Checkpoint | undefined;
  private queue: RecordedEvent[] = [];
  /** How long the last handler call took (the linger grows with it: `lingerRatio`). */
  private handlerMs = 0;
  private stream: esdb.AllStreamSubscription | undefined;
  private generation = 0;
  private failures = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly waiters: { target: Checkpoint; resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly maxBatchSize: number;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: esdb.EventStoreDBClient,
    private readonly options: SubscribeOptions,
    /** The checkpoint of the last non-system event in `$all` now (undefined: none). */
    private readonly endOfLog: () => Promise<Checkpoint | undefined>,
    private readonly reconnect: ReconnectOptions = {},
  ) {
    this.position = options.after;
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.open();
    this.loop = this.run();
  }

  async caughtUp(): Promise<void> {
    // Not the server's caughtUp signal: servers before 23.10 never send it, and it says nothing about the handler.
    const target = await this.endOfLog();
    if (target === undefined || (this.position !== undefined && this.position >= target)) return;
    if (this.stopped) throw new Error('subscription stopped');
    await new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }

  async stop(): Promise<void> {
    this.close();
    await this.loop;
  }

  private open(): void {
    const generation = ++this.generation;
    this.queue = [];
    const stream = this.client.subscribeToAll({
      fromPosition: this.position === undefined ? esdb.START : decodeEsdbCheckpoint(this.position),
      filter: esdb.excludeSystemEvents(),
    });
    this.stream = stream;
    stream.on('data', (resolved: esdb.AllStreamResolvedEvent) => {
      if (generation !== this.generation || !resolved.event) return;
      this.failures = 0;
      this.queue.push(toRecordedEvent(resolved.event));
      if (this.queue.length >= 2 * this.maxBatchSize) stream.pause();
      this.wake?.();
    });
    stream.on('error', (error: Error) => {
      if (generation !== this.generation || this.stopped) return;
      this.retry(error);
    });
    stream.on('confirmation', () => {
      if (generation === this.generation) this.failures = 0; // the server accepted the (re)subscription
    });
    // A subscription never ends by itself: a server that ends it (e.g. shutting down) dropped it.
    stream.on('end', () => {
      if (generation !== this.generation || this.stopped) return;
      this.retry(new Error('the server ended the $all subscription'));
    });
  }

  private retry(error: Error): void {
    const maxAttempts = this.reconnect.maxAttempts ?? 20;
    if (++this.failures > maxAttempts) return this.fail(error);
    const old = this.stream;
    this.generation++;
    this.stream = undefined;
    old?.unsubscribe().catch(() => undefined);
    const delay = Math.min(5_000, (this.reconnect.delayMs ?? 200) * 2 ** (this.failures - 1));
    setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay).unref?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // Let more events arrive before handing a short batch over: EventStoreDB commits a writer's batch stream by
      // stream, so live events trickle in, and every handler call has a fixed cost (a read-model transaction).
      if (this.queue.length < this.maxBatchSize) await this.linger();
      if (this.stopped) break;
      const after = this.position;
      const batch = this.queue.splice(0, this.maxBatchSize).filter((e) => after === undefined || e.position > after);
      if (this.queue.length < this.maxBatchSize) this.stream?.resume();
      if (batch.length === 0) continue;
      const checkpoint = batch[batch.length - 1]!.position;
      const handed = performance.now();
      try {
        await this.options.handler(batch, checkpoint);
      } catch (error) {
        return this.fail(error instanceof Error ? error : new Error(String(error)));
      }
      this.handlerMs = performance.now() - handed;
      this.position = checkpoint;
      for (const waiter of [...this.waiters]) {
        if (checkpoint >= waiter.target) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  }

  /**
   * Waits `lingerMs` ({@link LINGER_MS} by default) or `lingerRatio` times the last handler call, whichever is longer,
   * or less if the queue fills a batch or the subscription stops.
   */
  private linger(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(this.options.lingerMs ?? LINGER_MS, (this.options.lingerRatio ?? 0) * this.handlerMs));
      this.wake = () => {
        if (this.stopped || this.queue.length >= this.maxBatchSize) done();
      };
    });
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.close(error);
    this.options.onError?.(error);
  }

  private close(error: Error = new Error('subscription stopped')): void {
    if (this.stopped) return;
    this.stopped = true;
    this.generation++;
    this.stream?.unsubscribe().catch(() => undefined);
    this.stream = undefined;
    this.wake?.();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
