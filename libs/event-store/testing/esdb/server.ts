/**
 * TEST DOUBLE: a protocol-level stand-in for an EventStoreDB node, for CI machines where no server can run.
 *
 * A gRPC server on `@grpc/grpc-js` that implements, with the service definitions and message classes that ship
 * with `@eventstore/db-client` (the client's own generated module instances, since its serializers check
 * `instanceof`), the calls our adapter makes:
 *  - `Streams.Append` (client-streaming): every expected-revision mode, WrongExpectedVersion in the OK response
 *    body (as the server does), EventStoreDB's idempotency rules, required `type`/`content-type` metadata;
 *  - `Streams.Read`: a stream forwards/backwards from a revision with a count (StreamNotFound for an absent
 *    stream); `$all` forwards (inclusive start) / backwards (exclusive start); catch-up subscriptions to `$all`
 *    (exclusive start) with the server-side stream-name / event-type filter, checkpoints, confirmation,
 *    caughtUp, then live events.
 *  - `Streams.BatchAppend` (./batch-append.ts), the path the client takes with a server that advertises it;
 *  - `ServerFeatures.GetSupportedMethods` advertising read, append and batchAppend, as a 24.10 node does (with
 *    `serverFeatures: false` it is not registered and answers UNIMPLEMENTED: the client then assumes an older
 *    server and uses the unary `Append`).
 * `$all` starts with a few `$`-prefixed system events. Fault hooks: {@link EsdbTestDouble.dropSubscriptions}
 * (UNAVAILABLE), {@link EsdbTestDouble.endSubscriptions} (status OK), {@link EsdbTestDouble.refuseCallsFor} and
 * {@link EsdbTestDouble.refuseSubscriptionsFor};
 * `sendCaughtUp: false` behaves like a server before 23.10. Timing hook: {@link EsdbTestDouble.beforeAppend}
 * (hold an append to stage a race); {@link EsdbTestDouble.subscriptionsStarted} counts (re)subscriptions.
 *
 * It lives in `testing/` (built, unlike `test/`) so that the demo can start it; production code never imports it.
 *
 * Fidelity limits (check against a real server whenever one is reachable):
 *  (a) idempotency is stronger than the real server's: ids are looked up in the whole stream, not in a bounded
 *      (8 MiB) cache of recently committed ids, so under `any` a real server may write duplicates again;
 *  (b) each event has commit = prepare = its own log offset, and the append result's position is the last
 *      event's; a real server returns the write's commit/prepare pair;
 *  (c) `$all` read inclusivity (forwards inclusive, backwards exclusive) is inferred, not documented;
 *  (d) the filter's checkpoint cadence is approximate (every window × multiplier events scanned);
 *  (e) caughtUp is sent right after the historical events unless `sendCaughtUp: false` (servers before 23.10
 *      never send it);
 *  (f) no auth/ACLs (a secure server needs admin credentials for `$all`), no TLS, no deletes/tombstones,
 *      no `$$` metadata streams, no projections or link events, no stream subscriptions, no maximum append
 *      size; BatchAppend answers a refused or malformed append by ending the whole call (a real server answers
 *      that append alone with an error status).
 */
import * as grpc from '@grpc/grpc-js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import { proposedEvent, serveBatchAppend, type BatchAppendCall } from './batch-append.js';
import { EventLog, expectedOf, type AppendOutcome, type Expected, type ProposedEvent, type StoredEvent } from './log.js';

type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
type ReadResp = InstanceType<typeof streamsPb.ReadResp>;
type AppendReq = InstanceType<typeof streamsPb.AppendReq>;
type AppendResp = InstanceType<typeof streamsPb.AppendResp>;
type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;
type Filter = (event: StoredEvent) => boolean;

const { ReadResp: ReadRespClass, AppendResp: AppendRespClass } = streamsPb;

export interface EsdbTestDoubleOptions {
  /** Send `caughtUp` after the historical events (default true; false behaves like a server before 23.10). */
  readonly sendCaughtUp?: boolean;
  /**
   * Answer `ServerFeatures.GetSupportedMethods` advertising BatchAppend, as EventStoreDB 21.10 and later do, so
   * the client appends through BatchAppend (default true). False leaves the service out: the client then assumes
   * an older server and uses the unary Append.
   */
  readonly serverFeatures?: boolean;
}

/** What the double answers to GetSupportedMethods: the Streams methods it implements. */
function supportedMethods(): InstanceType<typeof featuresPb.SupportedMethods> {
  const method = (name: string) => new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(name);
  return new featuresPb.SupportedMethods().setEventStoreServerVersion(SERVER_VERSION).setMethodsList(['read', 'append', 'batchappend'].map(method));
}
/** The server version the double claims in ServerFeatures. */
const SERVER_VERSION = '24.10.0';

export class EsdbTestDouble {
  readonly log = new EventLog();
  private readonly server = new grpc.Server();
  /** Active subscriptions, each with the function that ends its delivery loop. */
  private readonly subscriptions = new Map<ReadCall, () => void>();
  private refuseUntil = 0;
  private refuseSubscriptionsUntil = 0;
  private port = 0;
  /** Subscriptions to `$all` the double has confirmed since it started (resubscriptions included). */
  subscriptionsStarted = 0;
  /** Appends received, by the gRPC method that carried them. */
  readonly appendsBy = { append: 0, batchAppend: 0 };
  /**
   * Timing hook: awaited before an append is applied (after its request arrived), e.g. to let a test's concurrent
   * writer go first. It changes when an append is applied, never how.
   */
  beforeAppend: ((streamName: string) => Promise<void> | void) | undefined;

  private constructor(private readonly options: EsdbTestDoubleOptions) {
    this.log.seedSystemEvents();
    this.server.addService(streamsGrpc.StreamsService, {
      read: (call: ReadCall) => void this.read(call),
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) =>
        this.append(call, callback),
      delete: unimplemented,
      tombstone: unimplemented,
      batchAppend: (call: BatchAppendCall) => this.batchAppend(call),
    } as never);
    if (options.serverFeatures !== false) {
      this.server.addService(featuresGrpc.ServerFeaturesService, {
        getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, supportedMethods()),
      } as never);
    }
  }

  /** Starts on 127.0.0.1 and an ephemeral port. */
  static async start(options: EsdbTestDoubleOptions = {}): Promise<EsdbTestDouble> {
    const double = new EsdbTestDouble(options);
    double.port = await new Promise<number>((resolve, reject) =>
      double.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return double;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Ends every active subscription with UNAVAILABLE, as when a node drops its clients. */
  dropSubscriptions(): void {
    for (const [call, close] of this.subscriptions) {
      close();
      fail(call, grpc.status.UNAVAILABLE, 'subscription dropped by the test double');
    }
    this.subscriptions.clear();
  }

  /** Ends every active subscription with status OK, as a server shutting down gracefully does. */
  endSubscriptions(): void {
    for (const [call, close] of this.subscriptions) {
      close();
      call.end();
    }
    this.subscriptions.clear();
  }

  /** Answers every call with UNAVAILABLE for `ms` milliseconds. */
  refuseCallsFor(ms: number): void {
    this.refuseUntil = Date.now() + ms;
  }

  /** Answers new subscriptions with UNAVAILABLE for `ms` milliseconds (appends and reads still work). */
  refuseSubscriptionsFor(ms: number): void {
    this.refuseSubscriptionsUntil = Date.now() + ms;
  }

  async stop(): Promise<void> {
    this.endSubscriptions();
    this.server.forceShutdown();
  }

  private refusing(): grpc.ServiceError | undefined {
    return Date.now() < this.refuseUntil ? serviceError(grpc.status.UNAVAILABLE, 'refused by the test double') : undefined;
  }

  /** The double's append, as both Append and BatchAppend apply it: refusals, the timing hook, the log's rules. */
  private async applyAppend(streamName: string, expected: Expected, proposed: ReadonlyArray<ProposedEvent>): Promise<AppendOutcome | grpc.ServiceError> {
    if (proposed.some((event) => !event.metadata.has('type') || !event.metadata.has('content-type'))) {
      return serviceError(grpc.status.INVALID_ARGUMENT, 'required metadata property missing');
    }
    try {
      await this.beforeAppend?.(streamName);
    } catch (error) {
      return serviceError(grpc.status.INTERNAL, String(error));
    }
    return this.refusing() ?? this.log.append(streamName, expected, proposed);
  }

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    const refused = this.refusing();
    if (refused) return callback(refused);
    let header: InstanceType<typeof streamsPb.AppendReq.Options> | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) header = req.getOptions();
      else if (req.hasProposedMessage()) proposed.push(proposedEvent(req.getProposedMessage()!));
    });
    call.on('end', async () => {
      if (!header) return callback(serviceError(grpc.status.INVALID_ARGUMENT, 'no options'));
      const streamName = Buffer.from(header.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
      const expected = expectedOf({
        revision: header.hasRevision() ? header.getRevision() : undefined,
        noStream: header.hasNoStream(),
        streamExists: header.hasStreamExists(),
      });
      this.appendsBy.append++;
      const outcome = await this.applyAppend(streamName, expected, proposed);
      if ('code' in outcome) return callback(outcome);
      const resp = new AppendRespClass();
      if (outcome.kind === 'success') {
        const success = new AppendRespClass.Success();
        if (outcome.revision === undefined) success.setNoStream(new sharedPb.Empty());
        else success.setCurrentRevision(outcome.revision.toString());
        if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
        else success.setPosition(new AppendRespClass.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
        resp.setSuccess(success);
      } else {
        const wev = new AppendRespClass.WrongExpectedVersion();
        if (outcome.current === undefined) wev.setCurrentNoStream(new sharedPb.Empty());
        else wev.setCurrentRevision(outcome.current.toString());
        if (expected.kind === 'revision') wev.setExpectedRevision(expected.revision.toString());
        else if (expected.kind === 'no_stream') wev.setExpectedNoStream(new sharedPb.Empty());
        else if (expected.kind === 'stream_exists') wev.setExpectedStreamExists(new sharedPb.Empty());
        else wev.setExpectedAny(new sharedPb.Empty());
        resp.setWrongExpectedVersion(wev);
      }
      callback(null, resp);
    });
  }

  private batchAppend(call: BatchAppendCall): void {
    const refused = this.refusing();
    if (refused) return void call.emit('error', refused);
    serveBatchAppend(call, (streamName, expected, proposed) => {
      this.appendsBy.batchAppend++;
      return this.applyAppend(streamName, expected, proposed);
    });
  }

  private async read(call: ReadCall): Promise<void> {
    const refused = this.refusing();
    if (refused) return fail(call, refused.code, refused.details);
    const options = call.request.getOptions()!;
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const filter = options.hasFilter() ? makeFilter(options.getFilter()!) : () => true;
    try {
      if (options.hasSubscription()) {
        if (Date.now() < this.refuseSubscriptionsUntil) return fail(call, grpc.status.UNAVAILABLE, 'subscriptions refused by the test double');
        if (!options.hasAll()) return fail(call, grpc.status.UNIMPLEMENTED, 'stream subscriptions are not implemented by the test double');
        return await this.subscribe(call, options, filter);
      }
      const count = BigInt(options.getCount());
      if (options.hasStream()) return await this.readStream(call, options.getStream()!, backwards, count);
      const all = options.getAll()!;
      const log = this.log.events;
      const at = all.hasPosition() ? this.log.indexAtOrAfter(BigInt(all.getPosition()!.getCommitPosition())) : undefined;
      const max = count < BigInt(log.length) ? Number(count) : log.length;
      const selected: StoredEvent[] = [];
      if (backwards) {
        for (let i = (at ?? log.length) - 1; i >= 0 && selected.length < max; i--) if (filter(log[i]!)) selected.push(log[i]!);
      } else {
        for (let i = at ?? (all.hasEnd() ? log.length : 0); i < log.length && selected.length < max; i++) {
          if (filter(log[i]!)) selected.push(log[i]!);
        }
      }
      await writeAll(call, selected.map(eventResp));
      call.end();
    } catch (error) {
      fail(call, grpc.status.INTERNAL, String(error));
    }
  }

  private async readStream(call: ReadCall, options: InstanceType<typeof streamsPb.ReadReq.Options.StreamOptions>, backwards: boolean, count: bigint) {
    const name = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
    const stream = this.log.stream(name);
    if (!stream) {
      const resp = new ReadRespClass().setStreamNotFound(new ReadRespClass.StreamNotFound().setStreamIdentifier(options.getStreamIdentifier()));
      await writeAll(call, [resp]);
      call.end();
      return;
    }
    const last = stream.length - 1;
    const from = options.hasRevision() ? Number(BigInt(options.getRevision())) : options.hasEnd() ? last : backwards ? last : 0;
    const max = Number(count < BigInt(stream.length) ? count : BigInt(stream.length));
    const selected = backwards ? stream.slice(0, Math.min(from, last) + 1).reverse().slice(0, max) : stream.slice(from, from + max);
    await writeAll(call, selected.map(eventResp));
    call.end();
  }

  private async subscribe(call: ReadCall, options: InstanceType<typeof streamsPb.ReadReq.Options>, filter: Filter): Promise<void> {
    let wake: (() => void) | undefined;
    const unlisten = this.log.onAppend(() => wake?.());
    let closed = false;
    this.subscriptions.set(call, () => ((closed = true), wake?.()));
    call.on('cancelled', () => ((closed = true), wake?.()));
    call.on('close', () => ((closed = true), wake?.()));
    try {
      const confirmation = new ReadRespClass().setConfirmation(new ReadRespClass.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()));
      await writeAll(call, [confirmation]);
      this.subscriptionsStarted++;
      const all = options.getAll()!;
      const after = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : all.hasEnd() ? this.lastPosition() : -1n;
      let cursor = this.log.indexAtOrAfter(after + 1n);
      const filterOptions = options.hasFilter() ? options.getFilter()! : undefined;
      const checkpointEvery = filterOptions ? (filterOptions.hasMax() ? filterOptions.getMax() : 32) * Math.max(1, filterOptions.getCheckpointintervalmultiplier()) : 0;
      let scanned = 0;
      let caughtUp = false;
      while (!closed) {
        if (cursor >= this.log.events.length) {
          if (!caughtUp && this.options.sendCaughtUp !== false) {
            caughtUp = true;
            await writeAll(call, [new ReadRespClass().setCaughtUp(new ReadRespClass.CaughtUp())]);
            continue; // appends may have arrived while writing
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const event = this.log.events[cursor++]!;
        const out: ReadResp[] = filter(event) ? [eventResp(event)] : [];
        if (checkpointEvery > 0 && ++scanned % checkpointEvery === 0) {
          out.push(new ReadRespClass().setCheckpoint(new ReadRespClass.Checkpoint().setCommitPosition(String(event.position)).setPreparePosition(String(event.position))));
        }
        await writeAll(call, out);
      }
    } finally {
      unlisten();
      this.subscriptions.delete(call);
    }
  }

  private lastPosition(): bigint {
    return this.log.events[this.log.events.length - 1]?.position ?? -1n;
  }
}

/** Ends a server-streaming call with an error status (grpc-js sends it on 'error'; destroy() would not). */
function fail(call: ReadCall, code: grpc.status, details: string): void {
  call.emit('error', { code, details, metadata: new grpc.Metadata() } as grpc.ServiceError);
}

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

function unimplemented(_call: unknown, callback?: grpc.sendUnaryData<unknown>): void {
  const error = { code: grpc.status.UNIMPLEMENTED, details: 'not implemented by the test double', metadata: new grpc.Metadata() } as grpc.ServiceError;
  if (callback) callback(error);
  else (_call as grpc.ServerDuplexStream<unknown, unknown>).emit('error', error);
}

function makeFilter(options: InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>): Filter {
  const expression = options.hasEventType() ? options.getEventType()! : options.getStreamIdentifier()!;
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression.getPrefixList();
  const subject = (e: StoredEvent) => (options.hasEventType() ? e.metadata.get('type') ?? '' : e.streamName);
  return (e) => {
    const value = subject(e);
    return regex ? regex.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  };
}

function eventResp(event: StoredEvent): ReadResp {
  const recorded = new ReadRespClass.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(event.id))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(new Uint8Array(Buffer.from(event.streamName, 'utf8'))))
    .setStreamRevision(event.revision.toString())
    .setPreparePosition(String(event.position))
    .setCommitPosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  for (const [key, value] of event.metadata) recorded.getMetadataMap().set(key, value);
  const read = new ReadRespClass.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position));
  return new ReadRespClass().setEvent(read);
}

/** Writes with backpressure: waits for 'drain' whenever grpc-js buffers. */
async function writeAll(call: ReadCall, responses: ReadonlyArray<ReadResp>): Promise<void> {
  for (const resp of responses) {
    if (!call.write(resp)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          call.off('drain', done);
          call.off('close', done);
          resolve();
        };
        call.once('drain', done);
        call.once('close', done);
      });
    }
  }
}
