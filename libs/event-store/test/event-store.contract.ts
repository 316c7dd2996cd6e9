import { randomUUID } from 'node:crypto';
import {
  IdempotencyConflictError,
  WrongExpectedVersionError,
  type Checkpoint,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
} from '../src/index.js';

export interface EventStoreFixture {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export interface EventStoreContractOptions {
  /** Upper bound for waiting on subscription deliveries (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * The behaviour every EventStore adapter must show (spec §7). The fixture is created once per suite: tests use
 * fresh stream ids and read the global log relative to where it ended before the test.
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStoreFixture>,
  options: EventStoreContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 10_000;

  describe(`EventStore contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    }, 60_000);

    afterAll(async () => {
      await fixture?.cleanup();
    }, 60_000);

    const stream = (category = 'test') => `${category}-${randomUUID()}`;
    const event = (type = 'Happened', data: unknown = { n: 1 }): EventData => ({
      id: randomUUID(),
      type,
      data,
      metadata: { correlationId: 'c-1' },
    });
    const events = (n: number, type = 'Happened') => Array.from({ length: n }, (_, i) => event(type, { i }));

    /** Pages to the end of the global log. */
    async function tail(after?: Checkpoint): Promise<{ events: RecordedEvent[]; checkpoint: Checkpoint | undefined }> {
      const all: RecordedEvent[] = [];
      let checkpoint = after;
      for (;;) {
        const page = await store.readAll({ after: checkpoint, maxCount: 500 });
        all.push(...page.events);
        checkpoint = page.checkpoint;
        if (page.events.length < 500) return { events: all, checkpoint };
      }
    }

    async function expectWrongVersion(
      promise: Promise<unknown>,
      streamId: string,
      expected: ExpectedRevision,
      actual: bigint | 'no_stream',
    ): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamId, expected, actual });
    }

    describe('appendToStream: expected revisions', () => {
      it('no_stream creates a stream with 0-based revisions', async () => {
        const id = stream();
        const batch = events(3);
        const result = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        expect(result).toMatchObject({ streamId: id, nextExpectedRevision: 2n, idempotent: false });
        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(read.map((e) => e.id)).toEqual(batch.map((e) => e.id));
        expect(result.position).toBe(read[2]!.position);
      });

      it('no_stream on an existing stream fails with the actual revision', async () => {
        const id = stream();
        await store.appendToStream(id, events(2), { expectedRevision: 'no_stream' });
        await expectWrongVersion(store.appendToStream(id, events(1), { expectedRevision: 'no_stream' }), id, 'no_stream', 1n);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('stream_exists fails on a missing stream and succeeds on an existing one', async () => {
        const id = stream();
        await expectWrongVersion(
          store.appendToStream(id, events(1), { expectedRevision: 'stream_exists' }),
          id,
          'stream_exists',
          'no_stream',
        );
        expect(await store.readStream(id)).toEqual([]);
        await store.appendToStream(id, events(1), { expectedRevision: 'no_stream' });
        const result = await store.appendToStream(id, events(2), { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it('an exact revision succeeds only when it is the current one', async () => {
        const id = stream();
        await expectWrongVersion(store.appendToStream(id, events(1), { expectedRevision: 0n }), id, 0n, 'no_stream');
        await store.appendToStream(id, events(2), { expectedRevision: 'no_stream' });
        await expectWrongVersion(store.appendToStream(id, events(1), { expectedRevision: 0n }), id, 0n, 1n);
        await expectWrongVersion(store.appendToStream(id, events(1), { expectedRevision: 5n }), id, 5n, 1n);
        const result = await store.appendToStream(id, events(1), { expectedRevision: 1n });
        expect(result).toMatchObject({ nextExpectedRevision: 2n, idempotent: false });
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('any appends to new and existing streams (and is the default)', async () => {
        const id = stream();
        expect((await store.appendToStream(id, events(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(0n);
        expect((await store.appendToStream(id, events(2))).nextExpectedRevision).toBe(2n);
      });

      it('positions increase in log order across appends', async () => {
        const a = await store.appendToStream(stream(), events(1));
        const b = await store.appendToStream(stream(), events(1));
        expect(b.position > a.position).toBe(true);
      });
    });

    describe('idempotency', () => {
      it('re-appending the same ids returns the original result and writes nothing', async () => {
        const id = stream();
        const batch = events(3);
        const { checkpoint } = await tail();
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(id, events(1), { expectedRevision: 2n });
        for (const expectedRevision of ['no_stream', 'any', 'stream_exists'] as const) {
          const again = await store.appendToStream(id, batch, { expectedRevision });
          expect(again).toEqual({ ...first, idempotent: true });
        }
        const log = await tail(checkpoint);
        expect(log.events.filter((e) => e.streamId === id)).toHaveLength(4);
      });

      it('re-appending at the original exact revision is idempotent', async () => {
        const id = stream();
        await store.appendToStream(id, events(2));
        const batch = events(2);
        const first = await store.appendToStream(id, batch, { expectedRevision: 1n });
        await store.appendToStream(id, events(1));
        expect(await store.appendToStream(id, batch, { expectedRevision: 1n })).toEqual({ ...first, idempotent: true });
        expect(await store.readStream(id)).toHaveLength(5);
      });

      it('ids partly stored are a conflict, and nothing is written', async () => {
        const id = stream();
        const batch = events(2);
        await store.appendToStream(id, batch);
        const { checkpoint } = await tail();
        await expect(store.appendToStream(id, [batch[1]!, event()])).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(id)).toHaveLength(2);
        expect((await tail(checkpoint)).events).toEqual([]);
      });

      it('answers a stale writer whose events are partly stored with WrongExpectedVersionError (it must decide again)', async () => {
        const id = stream('race');
        const [first, second] = events(2);
        await store.appendToStream(id, [first!], { expectedRevision: 'no_stream' });
        const error = await store.appendToStream(id, [first!, second!], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(await store.readStream(id)).toHaveLength(1);
      });
    });

    describe('appendMany', () => {
      it('appends to many streams and returns one result per request, in order', async () => {
        const ids = [stream('order'), stream('customer'), stream('order')];
        const results = await store.appendMany([
          { streamId: ids[0]!, expectedRevision: 'no_stream', events: events(2) },
          { streamId: ids[1]!, expectedRevision: 'any', events: events(1) },
          { streamId: ids[2]!, expectedRevision: 'no_stream', events: events(3) },
        ]);
        expect(results.map((r) => [r.streamId, r.nextExpectedRevision, r.idempotent])).toEqual([
          [ids[0], 1n, false],
          [ids[1], 0n, false],
          [ids[2], 2n, false],
        ]);
        const read = await store.readStreams(ids);
        expect(ids.map((id) => read.get(id)!.length)).toEqual([2, 1, 3]);
      });

      it('applies several requests for one stream in order', async () => {
        const id = stream();
        const results = await store.appendMany([
          { streamId: id, expectedRevision: 'no_stream', events: events(2) },
          { streamId: id, expectedRevision: 1n, events: events(1) },
          { streamId: id, expectedRevision: 'stream_exists', events: events(1) },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 2n, 3n]);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('a conflict visible before the call fails the batch with WrongExpectedVersionError and writes nothing', async () => {
        // Even without multi-stream transactions: every request is checked before any is written.
        const good = stream();
        const existing = stream();
        await store.appendToStream(existing, events(1));
        const { checkpoint } = await tail();
        const append = store.appendMany([
          { streamId: good, expectedRevision: 'no_stream', events: events(2) },
          { streamId: existing, expectedRevision: 'no_stream', events: events(1) },
        ]);
        await expectWrongVersion(append, existing, 'no_stream', 0n);
        expect(await append.catch((e: WrongExpectedVersionError) => e.applied)).toEqual([]);
        expect(await store.readStream(existing)).toHaveLength(1);
        expect(await store.readStream(good)).toEqual([]);
        expect((await tail(checkpoint)).events).toEqual([]);
      });

      it('replays a whole batch idempotently', async () => {
        const requests = [
          { streamId: stream(), expectedRevision: 'no_stream' as const, events: events(2) },
          { streamId: stream(), expectedRevision: 'no_stream' as const, events: events(1) },
        ];
        const first = await store.appendMany(requests);
        const { checkpoint } = await tail();
        const again = await store.appendMany(requests);
        expect(again).toEqual(first.map((r) => ({ ...r, idempotent: true })));
        expect((await tail(checkpoint)).events).toEqual([]);
      });

      it('an empty request checks the expected revision without writing', async () => {
        const id = stream();
        const missing = await store.appendMany([{ streamId: id, expectedRevision: 'no_stream', events: [] }]);
        expect(missing[0]!.nextExpectedRevision).toBe(-1n);
        const written = await store.appendToStream(id, events(2));
        const check = await store.appendToStream(id, [], { expectedRevision: 1n });
        expect(check).toEqual({ streamId: id, nextExpectedRevision: 1n, position: written.position, idempotent: false });
        await expectWrongVersion(store.appendToStream(id, [], { expectedRevision: 0n }), id, 0n, 1n);
      });
    });

    describe('reading streams', () => {
      let id: string;
      beforeAll(async () => {
        id = stream();
        await store.appendToStream(id, events(5));
      });

      it('reads forwards from an inclusive revision with a max count', async () => {
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        const page = await store.readStream(id, { fromRevision: 1n, maxCount: 2 });
        expect(page.map((e) => e.revision)).toEqual([1n, 2n]);
      });

      it('reads backwards from the end or from an inclusive revision', async () => {
        const all = await store.readStream(id, { direction: 'backwards' });
        expect(all.map((e) => e.revision)).toEqual([4n, 3n, 2n, 1n, 0n]);
        const page = await store.readStream(id, { direction: 'backwards', fromRevision: 3n, maxCount: 2 });
        expect(page.map((e) => e.revision)).toEqual([3n, 2n]);
      });

      it('reads an absent stream as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
        expect(await store.readStream(id, { fromRevision: 9n })).toEqual([]);
      });

      it('records type, data, metadata, stream, revision and time', async () => {
        const other = stream('seller');
        const data = { name: 'Loja', nested: { list: [1, 'two', null], flag: true }, price: 1990 };
        const before = Date.now();
        await store.appendToStream(other, [{ id: randomUUID(), type: 'SellerRegistered', data, metadata: { actor: 'u' } }]);
        const [recorded] = await store.readStream(other);
        expect(recorded).toMatchObject({ type: 'SellerRegistered', streamId: other, revision: 0n, data, metadata: { actor: 'u' } });
        expect(recorded!.recordedAt).toBeInstanceOf(Date);
        expect(Math.abs(recorded!.recordedAt.getTime() - before)).toBeLessThan(60_000);
        expect(typeof recorded!.position).toBe('string');
      });

      it('readStreams reads many streams at once, absent ones as empty', async () => {
        const other = stream();
        await store.appendToStream(other, events(2));
        const absent = stream();
        const read = await store.readStreams([id, other, absent]);
        expect([...read.keys()].sort()).toEqual([id, other, absent].sort());
        expect(read.get(id)!.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(read.get(other)!.map((e) => e.revision)).toEqual([0n, 1n]);
        expect(read.get(absent)).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('pages by checkpoint, returning every event exactly once and in order', async () => {
        const { checkpoint: start } = await tail();
        const ids = [stream(), stream(), stream()];
        const appended: string[] = [];
        for (let round = 0; round < 4; round++) {
          for (const id of ids) {
            const batch = events(round + 1);
            appended.push(...batch.map((e) => e.id));
            await store.appendToStream(id, batch);
          }
        }
        const seen: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 7 });
          expect(page.events.length).toBeLessThanOrEqual(7);
          if (page.events.length === 0) {
            expect(page.checkpoint).toBe(after);
            break;
          }
          expect(page.checkpoint).toBe(page.events[page.events.length - 1]!.position);
          seen.push(...page.events);
          after = page.checkpoint;
        }
        expect(seen.map((e) => e.id)).toEqual(appended);
        const positions = seen.map((e) => e.position);
        expect([...positions].sort()).toEqual(positions);
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('reads from the start of the log when no checkpoint is given', async () => {
        const id = stream();
        await store.appendToStream(id, events(1));
        const first = await store.readAll({ maxCount: 1 });
        expect(first.events).toHaveLength(1);
        const whole = await tail();
        expect(whole.events[0]!.id).toBe(first.events[0]!.id);
        expect(whole.events.some((e) => e.streamId === id)).toBe(true);
      });
    });

    describe('countAfter', () => {
      it('counts the events after a checkpoint, up to a limit', async () => {
        const { checkpoint: head } = await tail();
        await store.appendToStream(stream(), events(3));
        await store.appendMany([{ streamId: stream(), expectedRevision: 'no_stream', events: events(4) }]);
        expect(await store.countAfter(head, 1_000)).toBe(7);
        expect(await store.countAfter(head, 5)).toBe(5);
        const { events: after } = await tail(head);
        expect(await store.countAfter(after[2]!.position, 1_000)).toBe(4);
        expect(await store.countAfter(after.at(-1)!.position, 1_000)).toBe(0);
        expect(await store.countAfter(undefined, 1_000_000)).toBe((await tail()).events.length);
      });
    });

    describe('subscribeToAll', () => {
      function collector() {
        const delivered: RecordedEvent[] = [];
        const checkpoints: Checkpoint[] = [];
        const batchSizes: number[] = [];
        let inFlight = 0;
        let overlapped = false;
        const handler = async (batch: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint) => {
          if (inFlight++ > 0) overlapped = true;
          await new Promise((r) => setTimeout(r, 1));
          delivered.push(...batch);
          checkpoints.push(checkpoint);
          batchSizes.push(batch.length);
          inFlight--;
        };
        return { delivered, checkpoints, batchSizes, handler, overlapped: () => overlapped };
      }

      async function eventually(check: () => boolean): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!check()) {
          if (Date.now() > deadline) throw new Error('timed out waiting for the subscription');
          await new Promise((r) => setTimeout(r, 10));
        }
      }

      it('catches up, then delivers live appends, in order and in bounded batches', async () => {
        const { checkpoint: start } = await tail();
        const id = stream();
        const historic = events(25);
        await store.appendToStream(id, historic);
        const c = collector();
        const sub = store.subscribeToAll({ after: start, maxBatchSize: 10, handler: c.handler });
        try {
          await sub.caughtUp();
          expect(c.delivered.map((e) => e.id)).toEqual(historic.map((e) => e.id));
          expect(Math.max(...c.batchSizes)).toBeLessThanOrEqual(10);

          const live = events(3);
          await store.appendToStream(id, live);
          await sub.caughtUp();
          expect(c.delivered.map((e) => e.id)).toEqual([...historic, ...live].map((e) => e.id));
          expect(c.checkpoints[c.checkpoints.length - 1]).toBe(c.delivered[c.delivered.length - 1]!.position);
          expect(c.overlapped()).toBe(false);
        } finally {
          await sub.stop();
        }
      });

      it('delivers a live append without caughtUp() being called', async () => {
        const { checkpoint: start } = await tail();
        const c = collector();
        const sub = store.subscribeToAll({ after: start, handler: c.handler });
        try {
          const live = event('Live');
          await store.appendToStream(stream(), [live]);
          await eventually(() => c.delivered.some((e) => e.id === live.id));
          expect(c.delivered.map((e) => e.id)).toEqual([live.id]);
        } finally {
          await sub.stop();
        }
      });

      it('with lingerRatio, a live batch waits that many times as long as the handler took on the batch before', async () => {
        const { checkpoint: start } = await tail();
        const id = stream();
        const sizes: number[] = [];
        let delivered = 0;
        const sub = store.subscribeToAll({
          after: start,
          lingerMs: 0,
          lingerRatio: 3,
          handler: async (batch) => {
            sizes.push(batch.length);
            delivered += batch.length;
            await new Promise((r) => setTimeout(r, 50)); // every call costs 50 ms
          },
        });
        try {
          const appending = Date.now();
          for (let i = 0; i < 40; i++) {
            await store.appendToStream(id, [event()]);
            await new Promise((r) => setTimeout(r, 10));
          }
          const span = Date.now() - appending;
          await eventually(() => delivered === 40);
          // A batch per 150 ms of appending, and the first and last; lingering 0 ms, one per 50 ms.
          expect(sizes.length).toBeLessThanOrEqual(Math.ceil(span / 150) + 2);
        } finally {
          await sub.stop();
        }
      });

      it('resumes strictly after a checkpoint', async () => {
        const { checkpoint: start } = await tail();
        const id = stream();
        await store.appendToStream(id, events(4));
        const first = collector();
        const sub1 = store.subscribeToAll({ after: start, maxBatchSize: 2, handler: first.handler });
        await sub1.caughtUp();
        await sub1.stop();
        const resumeAt = first.checkpoints[0]!; // after the first batch of two
        const more = events(2);
        await store.appendToStream(id, more);

        const second = collector();
        const sub2 = store.subscribeToAll({ after: resumeAt, handler: second.handler });
        try {
          await sub2.caughtUp();
          expect(second.delivered.map((e) => e.revision)).toEqual([2n, 3n, 4n, 5n]);
          expect(second.delivered.slice(2).map((e) => e.id)).toEqual(more.map((e) => e.id));
        } finally {
          await sub2.stop();
        }
      });

      it('stop() waits for the handler in flight and delivers nothing afterwards', async () => {
        const { checkpoint: start } = await tail();
        const id = stream();
        await store.appendToStream(id, events(3));
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inHandler = new Promise<void>((r) => (entered = r));
        let calls = 0;
        let finished = false;
        const sub = store.subscribeToAll({
          after: start,
          maxBatchSize: 1,
          handler: async () => {
            calls++;
            entered();
            await gate;
            finished = true;
          },
        });
        await inHandler;
        let stopped = false;
        const stopping = sub.stop().then(() => (stopped = true));
        await new Promise((r) => setTimeout(r, 50));
        expect(stopped).toBe(false);
        release();
        await stopping;
        expect(finished).toBe(true);
        await store.appendToStream(id, events(1));
        await new Promise((r) => setTimeout(r, 300));
        expect(calls).toBe(1);
      });

      it('reports a failing handler once through onError and stops', async () => {
        const { checkpoint: start } = await tail();
        await store.appendToStream(stream(), events(2));
        const errors: Error[] = [];
        let calls = 0;
        const sub = store.subscribeToAll({
          after: start,
          maxBatchSize: 1,
          handler: async () => {
            calls++;
            throw new Error('projection failed');
          },
          onError: (error) => errors.push(error),
        });
        await eventually(() => errors.length > 0);
        await new Promise((r) => setTimeout(r, 200));
        expect(errors.map((e) => e.message)).toEqual(['projection failed']);
        expect(calls).toBe(1);
        await sub.stop();
      });
    });
  });
}
