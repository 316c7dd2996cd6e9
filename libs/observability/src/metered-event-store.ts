import type {
  AppendRequest, AppendResult, Checkpoint, EventData, EventStore, ExpectedRevision, ReadAllOptions, ReadAllPage, ReadStreamOptions,
  RecordedEvent, SubscribeOptions, Subscription,
} from '@olist/event-store';
import type { OlistMetrics } from './olist-metrics.js';

/** Counts the events this process appends, by type, and times each append; reads pass through. */
export class MeteredEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: OlistMetrics,
  ) {}

  async appendToStream(streamId: string, events: ReadonlyArray<EventData>, options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.timed([{ events }], () => this.inner.appendToStream(streamId, events, options).then((r) => [r]));
    return result!;
  }

  appendMany(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendResult>> {
    return this.timed(requests, () => this.inner.appendMany(requests));
  }

  private async timed(
    requests: ReadonlyArray<{ readonly events: ReadonlyArray<EventData> }>,
    append: () => Promise<ReadonlyArray<AppendResult>>,
  ): Promise<ReadonlyArray<AppendResult>> {
    const end = this.metrics.appendDuration.startTimer();
    const results = await append().finally(end);
    const byType = new Map<string, number>();
    results.forEach((result, i) => {
      if (result.idempotent) return;
      for (const { type } of requests[i]!.events) byType.set(type, (byType.get(type) ?? 0) + 1);
    });
    for (const [type, n] of byType) this.metrics.eventsAppended.inc({ type }, n);
    return results;
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<ReadonlyArray<RecordedEvent>> {
    return this.inner.readStream(streamId, options);
  }

  readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    return this.inner.readStreams(streamIds);
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    return this.inner.readAll(options);
  }

  countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    return this.inner.countAfter(after, limit);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
