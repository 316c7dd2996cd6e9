import { randomUUID } from 'node:crypto';
import * as esdb from '@eventstore/db-client';
import { EventStoreDbEventStore, WrongExpectedVersionError, appendCredentials, type Checkpoint, type RecordedEvent } from '../src/index.js';
import { EsdbTestDouble } from '../testing/index.js';

// The documented EventStoreDB behaviours the test double encodes (research notes §2), driven through the real
// client, and the adapter's recovery from faults injected by the double.

const json = (n = 0) => esdb.jsonEvent({ id: randomUUID(), type: 'Happened', data: { n }, metadata: { m: n } });

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

describe('EventStoreDB test double, through @eventstore/db-client', () => {
  let double: EsdbTestDouble;
  let client: esdb.EventStoreDBClient;

  beforeAll(async () => {
    double = await EsdbTestDouble.start();
    client = esdb.EventStoreDBClient.connectionString(double.connectionString);
  });

  afterAll(async () => {
    await client.dispose();
    await double.stop();
  });

  it('reports a wrong expected revision with the current revision or no_stream', async () => {
    const stream = `t-${randomUUID()}`;
    const error = await client.appendToStream(stream, [json()], { expectedRevision: esdb.STREAM_EXISTS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(esdb.WrongExpectedVersionError);
    expect(error).toMatchObject({ actualVersion: 'no_stream', expectedVersion: esdb.STREAM_EXISTS });
    await client.appendToStream(stream, [json(), json()], { expectedRevision: esdb.NO_STREAM });
    const stale = await client.appendToStream(stream, [json()], { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(stale).toMatchObject({ actualVersion: 1n, expectedVersion: 0n });
  });

  it('answers a re-append of the same ids with the original result (no_stream, exact, any)', async () => {
    const stream = `t-${randomUUID()}`;
    const batch = [json(1), json(2)];
    const first = await client.appendToStream(stream, batch, { expectedRevision: esdb.NO_STREAM });
    await client.appendToStream(stream, [json(3)]);
    for (const expectedRevision of [esdb.NO_STREAM, esdb.ANY] as const) {
      const again = await client.appendToStream(stream, batch, { expectedRevision });
      expect(again).toMatchObject({ success: true, nextExpectedRevision: first.nextExpectedRevision });
    }
    expect(await collect(client.readStream(stream))).toHaveLength(3);
    // Only part of the batch stored at the expected place: WrongExpectedVersion ("corrupted idempotency").
    const partial = await client.appendToStream(stream, [batch[0]!, json(4)], { expectedRevision: esdb.NO_STREAM }).catch((e: unknown) => e);
    expect(partial).toBeInstanceOf(esdb.WrongExpectedVersionError);
  });

  it('advertises BatchAppend, which the client then uses; without ServerFeatures the client uses Append', async () => {
    const before = { ...double.appendsBy };
    await client.appendToStream(`t-${randomUUID()}`, [json()]);
    const stale = await client.appendToStream(`t-${randomUUID()}`, [json()], { expectedRevision: 3n }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(esdb.WrongExpectedVersionError);
    expect(stale).toMatchObject({ actualVersion: 'no_stream', expectedVersion: 3n });
    expect(double.appendsBy).toEqual({ append: before.append, batchAppend: before.batchAppend + 2 });

    const old = await EsdbTestDouble.start({ serverFeatures: false });
    const oldClient = esdb.EventStoreDBClient.connectionString(old.connectionString);
    try {
      await oldClient.appendToStream(`t-${randomUUID()}`, [json()]);
      expect(old.appendsBy).toEqual({ append: 1, batchAppend: 0 });
    } finally {
      await oldClient.dispose();
      await old.stop();
    }
  });

  it('reads a stream forwards and backwards, and reports an absent stream', async () => {
    const stream = `t-${randomUUID()}`;
    await client.appendToStream(stream, [json(0), json(1), json(2)]);
    const back = await collect(client.readStream(stream, { direction: esdb.BACKWARDS, fromRevision: esdb.END, maxCount: 2 }));
    expect(back.map((e) => e.event!.revision)).toEqual([2n, 1n]);
    expect(back[0]!.event).toMatchObject({ type: 'Happened', data: { n: 2 }, metadata: { m: 2 }, isJson: true });
    await expect(collect(client.readStream(`t-${randomUUID()}`))).rejects.toBeInstanceOf(esdb.StreamNotFoundError);
  });

  it('holds system events in $all, which excludeSystemEvents() filters out of a subscription', async () => {
    await client.appendToStream(`t-${randomUUID()}`, Array.from({ length: 40 }, (_, i) => json(i))); // > 32: a checkpoint
    const all = await collect(client.readAll());
    expect(all.some((e) => e.event!.type.startsWith('$'))).toBe(true);
    // Backwards reads of $all exclude their start position, forwards reads include it.
    const [second, first] = await collect(client.readAll({ direction: esdb.BACKWARDS, maxCount: 2 }));
    const before = await collect(client.readAll({ direction: esdb.BACKWARDS, fromPosition: second!.event!.position!, maxCount: 1 }));
    expect(before[0]!.event!.id).toBe(first!.event!.id);
    const from = await collect(client.readAll({ fromPosition: first!.event!.position!, maxCount: 1 }));
    expect(from[0]!.event!.id).toBe(first!.event!.id);

    const checkpoints: esdb.Position[] = [];
    const sub = client.subscribeToAll({
      filter: esdb.excludeSystemEvents({ checkpointReached: (_s, position) => void checkpoints.push(position) }),
    });
    const seen: string[] = [];
    const caughtUp = new Promise<void>((resolve) => sub.on('caughtUp', () => resolve()));
    const confirmed = new Promise<void>((resolve) => sub.on('confirmation', () => resolve()));
    sub.on('data', (e: esdb.AllStreamResolvedEvent) => seen.push(e.event!.type));
    await confirmed;
    await caughtUp;
    const live = json(9);
    await client.appendToStream(`t-${randomUUID()}`, [live]);
    await new Promise((r) => setTimeout(r, 100));
    await sub.unsubscribe();
    expect(seen.length).toBe(all.filter((e) => !e.event!.type.startsWith('$')).length + 1);
    expect(seen.every((type) => !type.startsWith('$'))).toBe(true);
    expect(checkpoints.length).toBeGreaterThan(0);
  });
});

describe('EventStoreDB adapter: faults injected by the test double', () => {
  let double: EsdbTestDouble;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    double = await EsdbTestDouble.start();
    store = EventStoreDbEventStore.connect(double.connectionString, { reconnect: { delayMs: 20 } });
  });

  afterEach(async () => {
    await store.close();
    await double.stop();
  });

  const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type: 'Happened', data: { i }, metadata: {} }));

  async function subscribeAndCount() {
    const delivered: RecordedEvent[] = [];
    const errors: Error[] = [];
    const sub = store.subscribeToAll({
      maxBatchSize: 7,
      handler: async (batch: ReadonlyArray<RecordedEvent>, _checkpoint: Checkpoint) => {
        delivered.push(...batch);
      },
      onError: (error) => errors.push(error),
    });
    return { delivered, errors, sub };
  }

  it('appends through the unary Append although the server advertises BatchAppend (client 6.2.1 BatchAppend bug)', async () => {
    await store.appendMany([`a-${randomUUID()}`, `b-${randomUUID()}`].map((streamId) => ({ streamId, expectedRevision: 'no_stream' as const, events: events(2) })));
    expect(double.appendsBy).toEqual({ append: 2, batchAppend: 0 });
    expect(appendCredentials('esdb://127.0.0.1:2113?tls=false')).toBeDefined(); // ignored by the client in insecure mode
    expect(appendCredentials('esdb://admin:ch%3Ange:it@node1:2113,node2:2113?tls=true')).toEqual({ username: 'admin', password: 'ch:nge:it' });
    expect(appendCredentials('esdb+discover://ops:secret@cluster.local:2113')).toEqual({ username: 'ops', password: 'secret' });
    expect(appendCredentials('esdb://node1:2113?tls=true&userCertFile=/c/u.crt&userKeyFile=/c/u.key')).toBeUndefined();
  });

  it('appendMany that loses a race part-way reports the requests it had applied', async () => {
    const [first, contested, last] = [`a-${randomUUID()}`, `b-${randomUUID()}`, `c-${randomUUID()}`];
    let raced = false;
    double.beforeAppend = async (stream) => {
      if (stream !== contested || raced) return;
      raced = true;
      await store.appendToStream(contested, events(1), { expectedRevision: 'no_stream' }); // a concurrent writer wins
    };
    const error = await store
      .appendMany([first, contested, last].map((streamId) => ({ streamId, expectedRevision: 'no_stream' as const, events: events(2) })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamId: contested, expected: 'no_stream', actual: 0n });
    // Streams are written concurrently: `first` and `last` were written while the contested append was held.
    const applied = (error as WrongExpectedVersionError).applied;
    expect(applied.map((r) => r && [r.streamId, r.nextExpectedRevision, r.idempotent])).toEqual([[first, 1n, false], undefined, [last, 1n, false]]);
    const stored = await store.readStreams([first, contested, last]);
    expect([first, contested, last].map((id) => stored.get(id)!.length)).toEqual([2, 1, 2]);
    expect(applied[0]!.position).toBe(stored.get(first)![1]!.position);
  });

  it('resubscribes after the server drops the subscription, losing and doubling nothing', async () => {
    const { delivered, errors, sub } = await subscribeAndCount();
    const written: string[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = events(5);
      written.push(...batch.map((e) => e.id));
      await store.appendToStream(`order-${randomUUID()}`, batch);
      if (round % 3 === 1) double.dropSubscriptions();
    }
    await sub.caughtUp();
    await sub.stop();
    expect(errors).toEqual([]);
    expect(delivered.map((e) => e.id)).toEqual(written);
  });

  it('resubscribes after the server ends the subscription with status OK', async () => {
    const { delivered, errors, sub } = await subscribeAndCount();
    await store.appendToStream(`order-${randomUUID()}`, events(2));
    await sub.caughtUp();
    double.endSubscriptions();
    await store.appendToStream(`order-${randomUUID()}`, events(3));
    await sub.caughtUp();
    await sub.stop();
    expect(errors).toEqual([]);
    expect(delivered).toHaveLength(5);
  });

  it('keeps retrying while the server refuses calls, then catches up', async () => {
    await store.appendToStream(`order-${randomUUID()}`, events(3));
    double.refuseCallsFor(300);
    double.dropSubscriptions();
    const { delivered, errors, sub } = await subscribeAndCount();
    await new Promise((r) => setTimeout(r, 400));
    await sub.caughtUp();
    await sub.stop();
    expect(errors).toEqual([]);
    expect(delivered).toHaveLength(3);
  });
});
