import * as esdb from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
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
import { normaliseRequests, planAppend } from '../postgres/append-plan.js';
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
 * - Appends go through the client's unary Append (never its BatchAppend: see {@link appendCredentials}) with the
 *   caller's expected revision (`throwOnAppendFailure` stays true: the client's BatchAppend path reports a wrong
 *   revision on failure). Before writing, the stream is
 *   read to apply the port's idempotency rules exactly (original result, `idempotent: true`, conflicts), which the
 *   server alone gives only in part; the server still enforces the expected revision on the write itself.
 * - `appendMany` is **not atomic across streams**: EventStoreDB has no multi-stream transaction. Every request is
 *   checked first (a visible conflict writes nothing), then written (one stream's requests in order, streams
 *   concurrently); one failing on a race stops the batch, what was written stays and is listed in the error's
 *   `applied`.
 * - `readAll` and `subscribeToAll` skip system events (`$`-prefixed types); checkpoints are
 *   `"<20-digit commit>:<20-digit prepare>"`.
 */
export class EventStoreDbEventStore implements EventStore {
  private constructor(
    private readonly client: esdb.EventStoreDBClient,
    private readonly options: EventStoreDbOptions,
    /** Passed with every append so that the client takes the unary Append path (see {@link appendCredentials}). */
    private readonly credentials: esdb.Credentials | undefined,
  ) {}

  /** From a connection string such as `esdb://127.0.0.1:2113?tls=false`. */
  static connect(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(esdb.EventStoreDBClient.connectionString(connectionString), options, appendCredentials(connectionString));
  }

  async appendToStream(
    streamId: string,
    events: ReadonlyArray<EventData>,
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, expectedRevision: options.expectedRevision ?? 'any', events }]);
    return result!;
  }

  /**
   * Checks every request against the streams as they are now (read in parallel) before writing any, so a conflict
   * already visible fails the batch with nothing written. Then writes, each request with its own expected revision
   * enforced by the server: one stream's requests in order, different streams concurrently (EventStoreDB orders
   * them in `$all` as they commit). A conflict that arises between the check and a write fails the batch part-way:
   * no further request is started, and the error's `applied` holds the results of the requests that were written.
   */
  async appendMany(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendResult>> {
    const normalised = normaliseRequests(requests);
    const states = await this.streamStates(normalised);
    const plan = planAppend(
      normalised,
      new Map([...states].flatMap(([id, state]) => (state.last ? [[id, state.last.revision] as const] : []))),
      new Map([...states].map(([id, state]) => [id, new Map(state.existing.map((e) => [e.id, { revision: e.revision, position: e.position }]))])),
    );
    const results: Array<AppendResult | undefined> = normalised.map(() => undefined);
    let failure: { error: unknown } | undefined;
    const writeStream = async (indices: ReadonlyArray<number>) => {
      let position = states.get(normalised[indices[0]!]!.streamId)?.last?.position;
      for (const i of indices) {
        if (failure) return;
        const [request, outcome] = [normalised[i]!, plan.outcomes[i]!];
        if (outcome.kind === 'idempotent') {
          results[i] = outcome.result;
        } else if (outcome.kind === 'empty') {
          results[i] = { streamId: request.streamId, nextExpectedRevision: outcome.revision, position: position ?? START_CHECKPOINT, idempotent: false };
        } else {
          try {
            results[i] = await this.write(request);
          } catch (error) {
            failure ??= { error };
            return;
          }
        }
        position = results[i]!.position;
      }
    };
    await forEachConcurrently([...indicesByStream(normalised).values()], WRITE_CONCURRENCY, writeStream);
    if (failure) {
      const { error } = failure;
      const applied = results.some((r) => r) ? results : [];
      if (error instanceof WrongExpectedVersionError) throw new WrongExpectedVersionError(error.streamId, error.expected, error.actual, applied);
      if (error instanceof EventStoreUnavailableError) throw new EventStoreUnavailableError(error.message, applied, { cause: error.cause });
      throw error;
    }
    return results as AppendResult[];
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
      throw unavailable(error) ?? error;
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

  /** EventStoreDB keeps no count of `$all`: the events after `after` are read (at most `limit`) and counted. */
  async countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    let counted = 0;
    let from = after;
    while (counted < limit) {
      const page = await this.readAll({ ...(from === undefined ? {} : { after: from }), maxCount: Math.min(PAGE, limit - counted) });
      counted += page.events.length;
      if (page.events.length === 0) break;
      from = page.checkpoint;
    }
    return counted;
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

  /** What the appends must know of each stream they target, read in parallel. */
  private async streamStates(requests: ReadonlyArray<AppendRequest>): Promise<Map<string, StreamState>> {
    const byStream = new Map<string, AppendRequest[]>();
    for (const request of requests) byStream.set(request.streamId, [...(byStream.get(request.streamId) ?? []), request]);
    const ids = [...byStream.keys()];
    const states = await Promise.all(ids.map((id) => this.streamState(id, byStream.get(id)!)));
    return new Map(ids.map((id, i) => [id, states[i]!]));
  }

  /**
   * A stream's last event, plus every event when ids may already be stored. Like the PostgreSQL adapter, the id
   * look-up is skipped when a single request's exact expectation (`no_stream` or a revision) is already the
   * current state, and for empty requests.
   */
  private async streamState(streamId: string, requests: ReadonlyArray<AppendRequest>): Promise<StreamState> {
    const whole = async (): Promise<StreamState> => {
      const existing = await this.readStream(streamId);
      return { last: existing[existing.length - 1], existing };
    };
    if (requests.length > 1 || requests.some((r) => r.expectedRevision === 'any' || r.expectedRevision === 'stream_exists')) return whole();
    const { expectedRevision, events } = requests[0]!;
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const currentAsExpected = expectedRevision === 'no_stream' ? last === undefined : last?.revision === expectedRevision;
    return events.length === 0 || currentAsExpected ? { last, existing: [] } : whole();
  }

  /** One request's events, with its expected revision checked by the server. */
  private async write(request: AppendRequest): Promise<AppendResult> {
    const { streamId, expectedRevision } = request;
    try {
      const result = await this.client.appendToStream(
        streamId,
        request.events.map((event) =>
          esdb.jsonEvent({ id: event.id, type: event.type, data: event.data as esdb.JSONType, metadata: event.metadata }),
        ),
        { expectedRevision: toClientRevision(expectedRevision), ...(this.credentials ? { credentials: this.credentials } : {}) },
      );
      if (!result.position) throw new Error(`append to ${streamId} returned no position`);
      return { streamId, nextExpectedRevision: result.nextExpectedRevision, position: encodeEsdbCheckpoint(result.position), idempotent: false };
    } catch (error) {
      if (error instanceof esdb.WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedVersionError(streamId, expectedRevision, typeof actual === 'bigint' ? actual : 'no_stream');
      }
      throw unavailable(error) ?? error;
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

/**
 * Credentials to pass with each append, which makes the client (6.2.1) use the unary Append instead of BatchAppend.
 * Its BatchAppend keeps pending appends in one module-wide map that any failing BatchAppend call clears: after a
 * channel reset (e.g. a dropped subscription) an old call failing late wipes the entries of the new call, whose
 * answers then throw an uncaught TypeError (seen against the test double, whose BatchAppend follows the protocol).
 * The connection string's own user when it names one; in insecure mode (`tls=false`) the client ignores
 * credentials, so any will do. Otherwise (certificate authentication) none, and BatchAppend it is.
 */
export function appendCredentials(connectionString: string): esdb.Credentials | undefined {
  const userinfo = /^esdb(?:\+discover)?:\/\/([^@/?]+)@/i.exec(connectionString)?.[1];
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    const [username, password] = colon < 0 ? [userinfo, ''] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
    return { username: decodeURIComponent(username), password: decodeURIComponent(password) };
  }
  return /[?&]tls=false(?:&|$)/i.test(connectionString) ? { username: 'insecure', password: 'ignored' } : undefined;
}

/** Streams written at once by one appendMany (BatchAppend multiplexes them on one gRPC call). */
const WRITE_CONCURRENCY = 32;

/** The indices of the requests of each stream, in request order. */
function indicesByStream(requests: ReadonlyArray<AppendRequest>): Map<string, number[]> {
  const byStream = new Map<string, number[]>();
  requests.forEach((request, i) => byStream.set(request.streamId, [...(byStream.get(request.streamId) ?? []), i]));
  return byStream;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachConcurrently<T>(items: ReadonlyArray<T>, limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const item of read) items.push(item);
  } catch (error) {
    throw unavailable(error) ?? error;
  }
  return items;
}

/** The port's error for a client error that says the server cannot serve the call now, else undefined. */
function unavailable(error: unknown): EventStoreUnavailableError | undefined {
  const transient =
    error instanceof esdb.UnavailableError ||
    error instanceof esdb.NotLeaderError ||
    error instanceof esdb.DeadlineExceededError ||
    error instanceof esdb.CancelledError;
  return transient ? new EventStoreUnavailableError(`EventStoreDB: ${(error as Error).message}`, [], { cause: error }) : undefined;
}
