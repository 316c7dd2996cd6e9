import type {
  AppendResult,
  Checkpoint,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadAllPage,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@olist/event-store';
import { checkpointAt } from './events.js';

/**
 * Just enough of the event-store port for projector tests: a global log in memory and a catch-up then
 * live subscription with the port's delivery guarantees (consecutive batches, one at a time).
 */
export class InMemoryEventStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  private readonly listeners = new Set<() => void>();

  /** Appends already-recorded events (re-stamping their positions after the current end). */
  push(...events: RecordedEvent[]): void {
    for (const event of events) this.log.push({ ...event, position: checkpointAt(this.log.length + 1) });
    for (const listener of this.listeners) listener();
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const max = options.maxBatchSize ?? 100;
    let next = options.after === undefined ? 0 : this.log.findIndex((e) => e.position > options.after!);
    if (next < 0) next = this.log.length;
    let stopped = false;
    let inFlight: Promise<void> = Promise.resolve();
    const waiters: Array<{ target: number; resolve: () => void }> = [];
    let wake: (() => void) | undefined;
    const listener = () => wake?.();
    this.listeners.add(listener);

    const settle = () => {
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (next >= waiters[i]!.target) waiters.splice(i, 1)[0]!.resolve();
      }
    };
    const loop = async () => {
      while (!stopped) {
        if (next < this.log.length) {
          const batch = this.log.slice(next, next + max);
          try {
            inFlight = options.handler(batch, batch.at(-1)!.position);
            await inFlight;
          } catch (error) {
            stopped = true;
            this.listeners.delete(listener);
            options.onError?.(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          next += batch.length;
          settle();
        } else {
          await new Promise<void>((resolve) => (wake = resolve));
        }
      }
    };
    void loop();

    return {
      stop: async () => {
        stopped = true;
        this.listeners.delete(listener);
        wake?.();
        await inFlight.catch(() => undefined);
      },
      caughtUp: () =>
        new Promise<void>((resolve) => {
          waiters.push({ target: this.log.length, resolve });
          settle();
        }),
    };
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const from = options.after === undefined ? 0 : this.log.findIndex((e) => e.position > options.after!);
    const events = from < 0 ? [] : this.log.slice(from, from + (options.maxCount ?? this.log.length));
    return { events, checkpoint: (events.at(-1)?.position ?? options.after) as Checkpoint | undefined };
  }

  async countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    return Math.min(limit, (await this.readAll(after === undefined ? {} : { after })).events.length);
  }

  appendToStream(_streamId: string, _events: ReadonlyArray<EventData>): Promise<AppendResult> {
    throw new Error('not used by projector tests');
  }
  appendMany(): Promise<ReadonlyArray<AppendResult>> {
    throw new Error('not used by projector tests');
  }
  async readStream(streamId: string): Promise<ReadonlyArray<RecordedEvent>> {
    return this.log.filter((e) => e.streamId === streamId);
  }
  async readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    return new Map(await Promise.all(streamIds.map(async (id) => [id, await this.readStream(id)] as const)));
  }
  async close(): Promise<void> {}
}
