import * as esdb from '@eventstore/db-client';
import {
  WrongExpectedVersionError,
  type AppendRequest,
  type AppendResult,
  type Checkpoint,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { normaliseRequests, planAppend, type StoredEventRef } from '../postgres/append-plan.js';
import { decodeEsdbCheckpoint, encodeEsdbCheckpoint } from './checkpoint.js';
import { checkpointOf, isSystemEvent, toRecordedEvent } from './events.js';
import { EsdbCatchUpSubscription, type ReconnectOptions } from './subscription.js';

export interface EventStoreDbOptions {
  /** Resubscription policy for dropped `$all` subscriptions. */
  readonly reconnect?: ReconnectOptions;
}

/** Before the first event of `$all`. */
const START_CHECKPOINT = encodeEsdbCheckpoint({ commit: 0n, prepare: 0n });
const PAGE = 1_000;

/**
 * The event-store port on EventStoreDB through `@eventstore/db-client` (spec §3, §7).
 *
 * - Appends go through the client's unary Append with the caller's expected revision (`throwOnAppendFailure`
 *   stays true: the client's BatchAppend path reports a wrong revision on failure). Before writing, the stream is
 *   read to apply the port's idempotency rules exactly (original result, `idempotent: true`, conflicts), which the
 *   server alone gives only in part; the server still enforces the expected revision on the write itself.
 * - `appendMany` is **not atomic across streams**: EventStoreDB has no multi-stream transaction, so requests are
 *   appended one by one, in order; a failing request stops the batch, earlier ones stay written.
 * - `readAll` and `subscribeToAll` skip system events (`$`-prefixed types); checkpoints are
 *   `"<20-digit commit>:<20-digit prepare>"`.
 */
export class EventStoreDbEventStore implements EventStore {
  private constructor(
    private readonly client: esdb.EventStoreDBClient,
    private readonly options: EventStoreDbOptions,
  ) {}

  /** From a connection string such as `esdb://127.0.0.1:2113?tls=false`. */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(esdb.EventStoreDBClient.connectionString(connectionString), options);
  }

  async appendToStream(
    streamId: string,
    events: ReadonlyArray<EventData>,
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [request] = normaliseRequests([{ streamId, expectedRevision: options.expectedRevision ?? 'any', events }]);
    return this.appendOne(request!);
  }

  async appendMany(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendResult>> {
    const results: AppendResult[] = [];
    for (const request of normaliseRequests(requests)) results.push(await this.appendOne(request));
    return results;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<ReadonlyArray<RecordedEvent>> {
    const backwards = options.direction === 'backwards';
    if (options.maxCount === 0) return [];
    const read = this.client.readStream(streamId, {
      direction: backwards ? esdb.BACKWARDS : esdb.FORWARDS,
      fromRevision: options.fromRevision ?? (backwards ? esdb.END : esdb.START),
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) if (resolved.event) events.push(toRecordedEvent(resolved.event));
    } catch (error) {
      if (error instanceof esdb.StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    const unique = [...new Set(streamIds)];
    const read = await Promise.all(unique.map((id) => this.readStream(id)));
    return new Map(unique.map((id, i) => [id, read[i]!]));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    let after = options.after;
    while (events.length < max) {
      const want = Math.min(PAGE, max - events.length + 1);
      const page = await collect(
        this.client.readAll({
          direction: esdb.FORWARDS,
          fromPosition: after === undefined ? esdb.START : decodeEsdbCheckpoint(after),
          maxCount: want,
        }),
      );
      let progressed = false;
      for (const resolved of page) {
        const event = resolved.event;
        if (!event) continue;
        const position = checkpointOf(event);
        // A forwards read of $all from a position includes that position: skip what is not strictly after.
        if (after !== undefined && position <= after) continue;
        after = position;
        progressed = true;
        if (!isSystemEvent(event)) events.push(toRecordedEvent(event));
        if (events.length >= max) break;
      }
      if (!progressed || page.length < want) break;
    }
    return { events, checkpoint: events.length > 0 ? events[events.length - 1]!.position : options.after };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return new EsdbCatchUpSubscription(this.client, options, () => this.lastEventCheckpoint(), this.options.reconnect);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** The checkpoint of the newest non-system event in `$all`, read backwards from the end. */
  private async lastEventCheckpoint(): Promise<Checkpoint | undefined> {
    let from: esdb.ReadPosition = esdb.END;
    for (;;) {
      const page: esdb.AllStreamResolvedEvent[] = await collect(this.client.readAll({ direction: esdb.BACKWARDS, fromPosition: from, maxCount: 100 }));
      for (const resolved of page) {
        if (resolved.event && !isSystemEvent(resolved.event)) return checkpointOf(resolved.event);
      }
      const last: esdb.Position | undefined = page[page.length - 1]?.event?.position;
      if (page.length < 100 || !last) return undefined;
      from = last;
    }
  }

  /**
   * What the append must know of the stream: its last event, plus every event when ids may already be stored.
   * Like the PostgreSQL adapter, the id look-up is skipped when an exact expectation (`no_stream` or a revision)
   * is already the current state, and for an empty request.
   */
  private async streamState({ streamId, expectedRevision, events }: AppendRequest): Promise<StreamState> {
    const whole = async (): Promise<StreamState> => {
      const existing = await this.readStream(streamId);
      return { last: existing[existing.length - 1], existing };
    };
    if (expectedRevision === 'any' || expectedRevision === 'stream_exists') return whole();
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const currentAsExpected = expectedRevision === 'no_stream' ? last === undefined : last?.revision === expectedRevision;
    return events.length === 0 || currentAsExpected ? { last, existing: [] } : whole();
  }

  private async appendOne(request: AppendRequest): Promise<AppendResult> {
    const { streamId, expectedRevision } = request;
    const { last, existing } = await this.streamState(request);
    const stored = new Map<string, StoredEventRef>(existing.map((e) => [e.id, { revision: e.revision, position: e.position }]));
    const plan = planAppend(
      [request],
      last ? new Map([[streamId, last.revision]]) : new Map(),
      new Map([[streamId, stored]]),
    );
    const outcome = plan.outcomes[0]!;
    if (outcome.kind === 'idempotent') return outcome.result;
    if (outcome.kind === 'empty') {
      return { streamId, nextExpectedRevision: outcome.revision, position: last?.position ?? START_CHECKPOINT, idempotent: false };
    }
    try {
      const result = await this.client.appendToStream(
        streamId,
        request.events.map((event) =>
          esdb.jsonEvent({ id: event.id, type: event.type, data: event.data as esdb.JSONType, metadata: event.metadata }),
        ),
        { expectedRevision: toClientRevision(expectedRevision) },
      );
      if (!result.position) throw new Error(`append to ${streamId} returned no position`);
      return { streamId, nextExpectedRevision: result.nextExpectedRevision, position: encodeEsdbCheckpoint(result.position), idempotent: false };
    } catch (error) {
      if (error instanceof esdb.WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedVersionError(streamId, expectedRevision, typeof actual === 'bigint' ? actual : 'no_stream');
      }
      throw error;
    }
  }
}

interface StreamState {
  readonly last: RecordedEvent | undefined;
  /** The stream's events whose ids the idempotency rules must see ([] when the look-up is skipped). */
  readonly existing: ReadonlyArray<RecordedEvent>;
}

function toClientRevision(expected: ExpectedRevision): esdb.AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return esdb.ANY;
    case 'no_stream':
      return esdb.NO_STREAM;
    case 'stream_exists':
      return esdb.STREAM_EXISTS;
    default:
      return expected;
  }
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}
