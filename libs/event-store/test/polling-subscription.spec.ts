import type { Checkpoint, RecordedEvent } from '../src/index.js';
import { encodePgCheckpoint } from '../src/postgres/checkpoint.js';
import { PollingSubscription, type LogSource } from '../src/postgres/subscription.js';

const recorded = (n: number): RecordedEvent => ({
  id: `e${n}`,
  type: 'T',
  streamId: 's',
  revision: BigInt(n),
  position: encodePgCheckpoint({ transactionId: 10n, globalPosition: BigInt(n) }),
  data: {},
  metadata: {},
  recordedAt: new Date(),
});

/** An in-memory log whose reads can be made to fail. */
function fakeLog(count: number, failures: number) {
  const log = Array.from({ length: count }, (_, i) => recorded(i + 1));
  let failuresLeft = failures;
  const source: LogSource = {
    readPage: async (after, maxCount) => {
      if (failuresLeft-- > 0) throw new Error('connection lost');
      const events = log.filter((e) => after === undefined || e.position > after).slice(0, maxCount);
      return { events, checkpoint: events.at(-1)?.position ?? after, horizon: 100n };
    },
    currentTarget: async () => 100n,
    onAppend: () => () => {},
  };
  return source;
}

const polling = { pollIntervalMs: 5, defaultBatchSize: 2, maxReadRetries: 3 };

/** A log appended to while a subscription follows it; each read is recorded with its time. */
function liveLog() {
  const log: RecordedEvent[] = [];
  const reads: Array<{ at: number; events: number }> = [];
  let wake = () => {};
  const source: LogSource = {
    readPage: async (after, maxCount) => {
      const events = log.filter((e) => after === undefined || e.position > after).slice(0, maxCount);
      reads.push({ at: performance.now(), events: events.length });
      return { events, checkpoint: events.at(-1)?.position ?? after, horizon: BigInt(log.length) };
    },
    currentTarget: async () => BigInt(log.length),
    onAppend: (w) => {
      wake = w;
      return () => {};
    },
  };
  /**
   * Appends `count` events, one every 2 ms, each waking the subscription as an append's notification would.
   * Resolves with the milliseconds it took (2 × count, longer on a busy machine).
   */
  const trickle = async (count: number): Promise<number> => {
    const started = performance.now();
    for (let n = 1; n <= count; n++) {
      log.push(recorded(log.length + 1));
      wake();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return performance.now() - started;
  };
  return { log, reads, source, trickle };
}

describe('PollingSubscription', () => {
  it('retries failed reads, then delivers everything in batches', async () => {
    const seen: string[] = [];
    const checkpoints: Checkpoint[] = [];
    const sub = new PollingSubscription(fakeLog(5, 2), {
      handler: async (events, checkpoint) => {
        seen.push(...events.map((e) => e.id));
        checkpoints.push(checkpoint);
      },
    }, polling);
    await sub.caughtUp();
    await sub.stop();
    expect(seen).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(checkpoints).toHaveLength(3);
  });

  it('fails for good after too many consecutive read failures', async () => {
    const errors: Error[] = [];
    const sub = new PollingSubscription(fakeLog(5, 100), { handler: async () => {}, onError: (e) => errors.push(e) }, polling);
    await expect(sub.caughtUp()).rejects.toThrow('connection lost');
    expect(errors.map((e) => e.message)).toEqual(['connection lost']);
    await sub.stop();
  });

  it('rejects caughtUp() after stop()', async () => {
    const sub = new PollingSubscription(fakeLog(0, 0), { handler: async () => {} }, polling);
    await sub.stop();
    await expect(sub.caughtUp()).rejects.toThrow('stopped');
  });

  it('reads the page after a full one while the handler works, and re-reads it after a failed read-ahead', async () => {
    const source = fakeLog(7, 0);
    const read = source.readPage;
    const reads: Array<{ after: Checkpoint | undefined; duringHandler: boolean }> = [];
    let handling = false;
    let failAhead = true;
    source.readPage = async (after, maxCount) => {
      await null; // a read-ahead is started just before its page's handler is called
      reads.push({ after, duringHandler: handling });
      if (handling && failAhead) {
        failAhead = false;
        throw new Error('connection lost');
      }
      return read(after, maxCount);
    };
    const seen: string[] = [];
    const sub = new PollingSubscription(source, {
      handler: async (events) => {
        handling = true;
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(...events.map((e) => e.id));
        handling = false;
      },
    }, polling);
    await sub.caughtUp();
    await sub.stop();
    expect(seen).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(reads.filter((r) => r.duringHandler).length).toBeGreaterThanOrEqual(3);
    // The failed read-ahead (after e2) is read again from the last handled checkpoint.
    expect(reads.filter((r) => r.after === recorded(2).position)).toHaveLength(2);
  });

  it('after a short page, reads again only once lingerMs has passed, so that events appended meanwhile go in one batch; stop() ends the wait', async () => {
    const { log, reads, source, trickle } = liveLog();
    const batches: number[] = [];
    const sub = new PollingSubscription(source, { maxBatchSize: 1000, lingerMs: 60, handler: async (events) => void batches.push(events.length) }, polling);
    const appending = await trickle(125);
    await sub.caughtUp();
    const stopping = performance.now();
    log.push(recorded(126));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the subscription is lingering after a short page
    await sub.stop();
    expect(performance.now() - stopping).toBeLessThan(60);
    expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(125);
    // One batch per 60 ms of appending (~250 ms: 5), and the last; without lingering, about one batch per event.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(appending / 60) + 2);
    // A read after one that found events comes lingerMs after it (after an empty page: as soon as an append wakes it).
    for (let i = 1; i < reads.length; i++) if (reads[i - 1]!.events > 0 && reads[i]!.at < stopping) expect(reads[i]!.at - reads[i - 1]!.at).toBeGreaterThanOrEqual(55);
  });

  it('with lingerRatio, a short page waits that many times as long as the handler took on the batch before', async () => {
    const { reads, source, trickle } = liveLog();
    const batches: number[] = [];
    const handler = async (events: ReadonlyArray<RecordedEvent>) => {
      batches.push(events.length);
      await new Promise((resolve) => setTimeout(resolve, 30)); // a handler whose every call costs 30 ms
    };
    const sub = new PollingSubscription(source, { maxBatchSize: 1000, lingerMs: 10, lingerRatio: 3, handler }, polling);
    const appending = await trickle(200);
    await sub.caughtUp();
    await sub.stop();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    // Reads after a page with events come at least 3 × 30 ms apart (lingerMs alone: 30 ms, the handler's time).
    expect(reads.filter((r) => r.events > 0).length).toBeGreaterThan(1);
    for (let i = 1; i < reads.length; i++) if (reads[i - 1]!.events > 0) expect(reads[i]!.at - reads[i - 1]!.at).toBeGreaterThanOrEqual(85);
    // One batch per 90 ms of appending (~400 ms: 5), and the last; with lingerMs alone, one every ~30 ms.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(appending / 90) + 2);
  });
});
