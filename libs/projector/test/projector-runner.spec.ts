import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase } from '@olist/duckdb';
import { StarSchemaProjection } from '@olist/analytics';
import type { Projection } from '@olist/event-store';
import { ProjectorRunner } from '../src/index.js';
import { Harness } from '../../analytics/test/support/harness.js';
import { InMemoryEventStore } from '../../analytics/test/support/in-memory-store.js';
import { olistScenario } from '../../analytics/test/support/scenario.js';

describe('ProjectorRunner', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.close());

  it('catches up, reports its status, follows live appends, and resumes after a restart', async () => {
    const events = olistScenario().events;
    const store = new InMemoryEventStore();
    store.push(...events.slice(0, 30));
    const batches: number[] = [];
    const runner = new ProjectorRunner(store, h.projection, { maxBatchSize: 8, onBatch: (_, size) => batches.push(size) });
    expect(runner.status()).toMatchObject({ name: 'core_star_schema', running: false, eventsProjected: 0 });

    await runner.start();
    await runner.waitUntilCaughtUp();
    expect(batches).toEqual([8, 8, 8, 6]);
    const status = runner.status();
    expect(status).toMatchObject({ name: 'core_star_schema', checkpoint: store.log[29]!.position, eventsProjected: 30, running: true, error: undefined });
    expect(status.lastBatchAt).toBeInstanceOf(Date);

    store.push(...events.slice(30, 40)); // live
    await runner.waitUntilCaughtUp();
    expect(runner.status()).toMatchObject({ checkpoint: store.log[39]!.position, eventsProjected: 40 });
    await runner.stop();
    expect(runner.status().running).toBe(false);

    // Restart: a new runner on the reopened file resumes after the stored checkpoint.
    store.push(...events.slice(40));
    await h.reopen();
    const resumed = new ProjectorRunner(store, h.projection, { maxBatchSize: 100 });
    await resumed.start();
    expect(resumed.status().eventsProjected).toBe(40);
    await resumed.waitUntilCaughtUp();
    expect(resumed.status()).toMatchObject({ checkpoint: store.log.at(-1)!.position, eventsProjected: events.length });
    await resumed.stop();

    await h.expectSameAsCleanRun(events);
  });

  it('surfaces a failing projection: waitUntilCaughtUp rejects, status shows the error, nothing is half-applied', async () => {
    const store = new InMemoryEventStore();
    store.push(...olistScenario().events);
    let calls = 0;
    const failing: Projection = {
      name: 'failing',
      init: async () => undefined,
      checkpoint: async () => undefined,
      apply: async (_events: ReadonlyArray<RecordedEvent>, _cp: Checkpoint) => {
        if (++calls === 2) throw new Error('disk full');
      },
    };
    const runner = new ProjectorRunner(store, failing, { maxBatchSize: 10 });
    await runner.start();
    await expect(runner.waitUntilCaughtUp()).rejects.toThrow('disk full');
    expect(runner.status()).toMatchObject({ running: false, eventsProjected: 10, checkpoint: store.log[9]!.position });
    expect(runner.status().error?.message).toBe('disk full');
    await expect(runner.waitUntilCaughtUp()).rejects.toThrow('disk full');
    await runner.stop();
  });

  it('starts again from its stored checkpoint after failures when told to, and is waited for meanwhile', async () => {
    const events = olistScenario().events;
    const store = new InMemoryEventStore();
    store.push(...events);
    let calls = 0;
    const flaky: Projection = {
      ...h.projection,
      name: h.projection.name,
      init: () => h.projection.init(),
      checkpoint: () => h.projection.checkpoint(),
      eventsProjected: () => h.projection.eventsProjected!(),
      apply: async (batch: ReadonlyArray<RecordedEvent>, cp: Checkpoint) => {
        calls += 1;
        if (calls === 2 || calls === 3) throw new Error('Connection terminated unexpectedly');
        await h.projection.apply(batch, cp);
      },
    };
    const failures: Array<[string, number | undefined]> = [];
    const runner = new ProjectorRunner(store, flaky, { maxBatchSize: 10, restartDelaysMs: [5, 20], onFailure: (e, ms) => failures.push([e.message, ms]) });
    await runner.start();
    await runner.waitUntilCaughtUp(); // through both failures
    expect(failures).toEqual([['Connection terminated unexpectedly', 5], ['Connection terminated unexpectedly', 20]]);
    expect(runner.status()).toMatchObject({ running: true, error: undefined, eventsProjected: events.length, checkpoint: store.log.at(-1)!.position });
    await runner.stop();
    await h.expectSameAsCleanRun(events);
  });

  it('stops restarting once stopped', async () => {
    const store = new InMemoryEventStore();
    store.push(...olistScenario().events);
    const failing: Projection = { name: 'failing', init: async () => undefined, checkpoint: async () => undefined, apply: async () => Promise.reject(new Error('disk full')) };
    let failures = 0;
    const runner = new ProjectorRunner(store, failing, { restartDelaysMs: [10], onFailure: () => void (failures += 1) });
    await runner.start();
    const waiting = runner.waitUntilCaughtUp();
    while (failures < 3) await new Promise((r) => setTimeout(r, 5));
    await runner.stop();
    await expect(waiting).rejects.toThrow('disk full');
    const after = failures;
    await new Promise((r) => setTimeout(r, 50));
    expect(failures).toBe(after);
    expect(runner.status()).toMatchObject({ running: false });
  });

  it('closes the projection on stop, so closing the database checkpoints the WAL into the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olist-runner-'));
    const file = join(dir, 'dw.duckdb');
    try {
      const db = await DuckDbDatabase.open(file);
      const store = new InMemoryEventStore();
      store.push(...olistScenario().events);
      const runner = new ProjectorRunner(store, new StarSchemaProjection(db));
      await runner.start();
      await runner.waitUntilCaughtUp();
      expect(statSync(`${file}.wal`).size).toBeGreaterThan(0);
      await runner.stop();
      db.close();
      expect(existsSync(`${file}.wal`)).toBe(false);
      // And a restarted runner reopens what stop() closed.
      const reopened = await DuckDbDatabase.open(file);
      const again = new ProjectorRunner(store, new StarSchemaProjection(reopened));
      await again.start();
      expect(again.status().eventsProjected).toBe(store.log.length);
      await again.stop();
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start twice', async () => {
    const store = new InMemoryEventStore();
    const runner = new ProjectorRunner(store, h.projection);
    await runner.start();
    await expect(runner.start()).rejects.toThrow(/already running/);
    await runner.waitUntilCaughtUp();
    await runner.stop();
  });
});
