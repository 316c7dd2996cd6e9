import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase, isStorageFailure } from '@olist/duckdb';
import { StarSchemaProjection, contentHashes } from '@olist/analytics';
import type { Projection } from '@olist/event-store';
import { ProjectorRunner, type ProjectorStatus } from '../src/index.js';
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

  it('tries a failed write again with back-off, from the checkpoint it reads back, and resumes by itself: nothing lost, nothing doubled', async () => {
    const events = olistScenario().events;
    const store = new InMemoryEventStore();
    store.push(...events);
    let applied = 0;
    let inits = 0;
    const full = 'TransactionContext Error: Failed to commit: Could not write file "/srv/dw.duckdb.wal": No space left on device';
    // The third batch meets a full disk twice (its transaction rolls back), then there is room again.
    const disk: Projection = {
      name: h.projection.name,
      init: () => (inits++, h.projection.init()),
      checkpoint: () => h.projection.checkpoint(),
      eventsProjected: () => h.projection.eventsProjected(),
      close: () => h.projection.close(),
      apply: async (batch, checkpoint) => {
        if (++applied === 3 || applied === 4) throw new Error(full);
        await h.projection.apply(batch, checkpoint);
      },
    };
    const failures: ProjectorStatus[] = [];
    const resumes: Array<{ from: unknown; attempts: number }> = [];
    const runner = new ProjectorRunner(store, disk, {
      maxBatchSize: 8,
      retry: { retryable: isStorageFailure, delayMs: (attempt) => 20 * attempt },
      onFailure: (status) => failures.push(status),
      onResume: (_, outage) => resumes.push(outage),
    });
    await runner.start();
    await runner.waitUntilCaughtUp(); // waits through the attempts

    expect(failures.map((f) => [f.running, f.retry?.attempt, f.checkpoint, f.error?.message])).toEqual([
      [false, 1, store.log[15]!.position, full],
      [false, 2, store.log[15]!.position, full],
    ]);
    expect(resumes).toEqual([{ from: store.log[15]!.position, attempts: 2, seconds: expect.any(Number) }]);
    expect(inits).toBe(3); // each attempt initialises the projection again, as a restart would
    expect(runner.status()).toMatchObject({ running: true, error: undefined, retry: undefined, checkpoint: store.log.at(-1)!.position, eventsProjected: events.length });
    await runner.stop();
    await h.expectSameAsCleanRun(events);
  });

  it('stops for good on a failure its policy does not retry', async () => {
    const store = new InMemoryEventStore();
    store.push(...olistScenario().events);
    const failing: Projection = { name: 'failing', init: async () => undefined, checkpoint: async () => undefined, apply: async () => Promise.reject(new Error('Constraint Error: a bug')) };
    const failures: ProjectorStatus[] = [];
    const runner = new ProjectorRunner(store, failing, { retry: { retryable: isStorageFailure, delayMs: () => 1 }, onFailure: (s) => failures.push(s) });
    await runner.start();
    await expect(runner.waitUntilCaughtUp()).rejects.toThrow('a bug');
    expect(failures.map((f) => [f.running, f.retry])).toEqual([[false, undefined]]);
    await runner.stop();
  });

  it('a DuckDB file invalidated by a failed checkpoint mid-batch: attached again, resumed from its checkpoint, equal to a clean run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olist-runner-'));
    const db = await DuckDbDatabase.open(join(dir, 'dw.duckdb'), { compactable: true });
    const control = await db.instance.connect(); // outside the database's clients: sets DuckDB's fault injection
    try {
      const events = olistScenario().events;
      const store = new InMemoryEventStore();
      store.push(...events);
      const projection = new StarSchemaProjection(db);
      let batches = 0;
      // The fourth batch's commit checkpoints (a tiny threshold) and the checkpoint fails as on a full disk.
      const disk: Projection = {
        name: projection.name,
        init: () => projection.init(),
        checkpoint: () => projection.checkpoint(),
        eventsProjected: () => projection.eventsProjected(),
        close: () => projection.close(),
        apply: async (batch, checkpoint) => {
          if (++batches !== 4) return projection.apply(batch, checkpoint);
          await control.run(`SET checkpoint_threshold = '1KB'; SET debug_checkpoint_abort = 'before_header'`);
          try {
            await projection.apply(batch, checkpoint);
          } finally {
            await control.run(`SET debug_checkpoint_abort = 'none'; RESET checkpoint_threshold`);
          }
        },
      };
      const failures: Error[] = [];
      const runner = new ProjectorRunner(store, disk, { maxBatchSize: 7, retry: { retryable: isStorageFailure, delayMs: () => 10 }, onFailure: (_, e) => failures.push(e) });
      await runner.start();
      await runner.waitUntilCaughtUp();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ name: 'DuckDbStorageError', invalidated: true });
      expect(runner.status()).toMatchObject({ running: true, eventsProjected: events.length, checkpoint: store.log.at(-1)!.position });
      await runner.stop();
      const client = await db.connect();
      const hashes = await contentHashes(client);
      expect(await client.scalar('SELECT events_projected FROM core.projection_checkpoint')).toBe(BigInt(events.length));
      client.close();
      const clean = await Harness.create();
      try {
        await clean.apply(events);
        expect(hashes).toEqual(await clean.hashes());
      } finally {
        clean.close();
      }
    } finally {
      control.closeSync();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
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
