import type { Checkpoint, EventStore, ReadAllOptions, ReadAllPage, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from './port.js';

/**
 * Turns the data of one stored schema version of an event type into the next version's. Old shapes stay
 * readable forever: the log is never rewritten, readers see the current shape.
 */
export interface Upcaster {
  readonly type: string;
  /** The version this upcaster reads; it produces `fromVersion + 1`. */
  readonly fromVersion: number;
  readonly upcast: (data: unknown, event: RecordedEvent) => unknown;
}

/** The schema versions and upcasters of the event catalog. */
export class EventSchemaRegistry {
  private readonly chains = new Map<string, Map<number, Upcaster>>();

  constructor(upcasters: ReadonlyArray<Upcaster> = []) {
    for (const u of upcasters) {
      const chain = this.chains.get(u.type) ?? new Map<number, Upcaster>();
      if (chain.has(u.fromVersion)) throw new Error(`two upcasters for ${u.type} v${u.fromVersion}`);
      this.chains.set(u.type, chain.set(u.fromVersion, u));
    }
    for (const [type, chain] of this.chains) {
      for (let v = 1; v < this.currentVersion(type); v++) {
        if (!chain.has(v)) throw new Error(`no upcaster for ${type} v${v}: the chain must be complete`);
      }
    }
  }

  /** The version writers stamp on new events of this type (1 until a first upcaster exists). */
  currentVersion(type: string): number {
    const chain = this.chains.get(type);
    return chain ? Math.max(...chain.keys()) + 1 : 1;
  }

  /** The event in the current shape of its type. Events without a schema version are version 1. */
  upcast(event: RecordedEvent): RecordedEvent {
    const chain = this.chains.get(event.type);
    if (!chain) return event;
    let version = Number(event.metadata.schemaVersion ?? 1);
    const current = this.currentVersion(event.type);
    if (version >= current) return event;
    let data = event.data;
    for (; version < current; version++) data = chain.get(version)!.upcast(data, event);
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: current, storedSchemaVersion: event.metadata.schemaVersion ?? 1 } };
  }
}

/** An event store whose every read path hands out events in their current schema version. */
export class UpcastingEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    readonly schemas: EventSchemaRegistry,
  ) {}

  /** The store beneath: events as they were stored, in their stored schema version (auditors' `raw` reads). */
  get stored(): EventStore {
    return this.inner;
  }

  appendToStream: EventStore['appendToStream'] = (streamId, events, options) => this.inner.appendToStream(streamId, events, options);
  appendMany: EventStore['appendMany'] = (requests) => this.inner.appendMany(requests);

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<ReadonlyArray<RecordedEvent>> {
    return (await this.inner.readStream(streamId, options)).map((e) => this.schemas.upcast(e));
  }

  async readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    const streams = await this.inner.readStreams(streamIds);
    return new Map([...streams].map(([id, events]) => [id, events.map((e) => this.schemas.upcast(e))]));
  }

  async readAll(options?: ReadAllOptions): Promise<ReadAllPage> {
    const page = await this.inner.readAll(options);
    return { ...page, events: page.events.map((e) => this.schemas.upcast(e)) };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll({ ...options, handler: (events, checkpoint) => options.handler(events.map((e) => this.schemas.upcast(e)), checkpoint) });
  }

  countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    return this.inner.countAfter(after, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
