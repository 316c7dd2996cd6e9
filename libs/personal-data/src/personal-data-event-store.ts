import type { Checkpoint, EventStore, ReadAllOptions, ReadAllPage, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '@olist/event-store';
import type { PersonalDataProtection } from './personal-data-protection.js';

/**
 * An event store that seals people's personal fields on every append and opens them on every read, above the
 * port: each adapter (PostgreSQL, EventStoreDB) only ever stores ciphertext. Keys are fetched once per append
 * and once per page or batch read.
 */
export class PersonalDataEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    readonly protection: PersonalDataProtection,
  ) {}

  async appendToStream(...[streamId, events, options]: Parameters<EventStore['appendToStream']>): ReturnType<EventStore['appendToStream']> {
    const [sealed] = await this.protection.sealAll([{ streamId, expectedRevision: options?.expectedRevision ?? 'any', events }]);
    return this.inner.appendToStream(streamId, sealed!.events, options);
  }

  async appendMany(...[requests]: Parameters<EventStore['appendMany']>): ReturnType<EventStore['appendMany']> {
    return this.inner.appendMany(await this.protection.sealAll(requests));
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<ReadonlyArray<RecordedEvent>> {
    return this.protection.openAll(await this.inner.readStream(streamId, options));
  }

  async readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    const streams = await this.inner.readStreams(streamIds);
    const opened = await this.protection.openAll([...streams.values()].flat());
    const byStream = new Map<string, RecordedEvent[]>([...streams.keys()].map((id) => [id, []]));
    for (const e of opened) byStream.get(e.streamId)!.push(e);
    return byStream;
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const page = await this.inner.readAll(options);
    return { ...page, events: await this.protection.openAll(page.events) };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll({ ...options, handler: async (events, checkpoint) => options.handler(await this.protection.openAll(events), checkpoint) });
  }

  countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    return this.inner.countAfter(after, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
