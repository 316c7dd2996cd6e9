import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { replayLog, type ReplayableProjection } from '../src/index.js';
import { checkpointAt } from '../../analytics/test/support/events.js';
import { InMemoryEventStore } from '../../analytics/test/support/in-memory-store.js';
import { olistScenario } from '../../analytics/test/support/scenario.js';

/** Records the batches it is given. */
const recorder = () => {
  const batches: Array<{ size: number; checkpoint: Checkpoint; last: Checkpoint }> = [];
  const projection: ReplayableProjection = {
    init: async () => undefined,
    apply: async (events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint) => {
      batches.push({ size: events.length, checkpoint, last: events.at(-1)!.position });
    },
  };
  return { projection, batches };
};

describe('replayLog', () => {
  const store = new InMemoryEventStore();
  store.push(...olistScenario().events.slice(0, 25));

  it('applies the log from the start up to and including `until`, in batches checkpointed at their last event', async () => {
    const { projection, batches } = recorder();
    const result = await replayLog(store, projection, { until: checkpointAt(17), batchSize: 5 });
    expect(result).toEqual({ events: 17, checkpoint: checkpointAt(17) });
    expect(batches.map((b) => b.size)).toEqual([5, 5, 5, 2]);
    for (const b of batches) expect(b.checkpoint).toBe(b.last);
  });

  it('reads the next page while the projection applies this one, and nothing past `until`', async () => {
    const reads: Array<Checkpoint | undefined> = [];
    const counting = Object.create(store) as InMemoryEventStore;
    counting.readAll = (options) => {
      reads.push(options?.after);
      return store.readAll(options);
    };
    const readsWhenApplied: number[] = [];
    const projection: ReplayableProjection = {
      init: async () => undefined,
      apply: async () => {
        readsWhenApplied.push(reads.length);
      },
    };
    await replayLog(counting, projection, { until: checkpointAt(15), batchSize: 5 });
    expect(readsWhenApplied).toEqual([2, 3, 3]);
    expect(reads).toEqual([undefined, checkpointAt(5), checkpointAt(10)]);
  });

  it('applies nothing when the live projection has projected nothing', async () => {
    const { projection, batches } = recorder();
    expect(await replayLog(store, projection, { until: undefined })).toEqual({ events: 0, checkpoint: undefined });
    expect(batches).toEqual([]);
  });

  it('fails when the checkpoint is past the end of the log or is no event position', async () => {
    await expect(replayLog(store, recorder().projection, { until: checkpointAt(99), batchSize: 10 })).rejects.toThrow(/ends before checkpoint/);
    await expect(replayLog(store, recorder().projection, { until: `${checkpointAt(7)}x` as Checkpoint })).rejects.toThrow(/not the position of an event/);
  });
});
