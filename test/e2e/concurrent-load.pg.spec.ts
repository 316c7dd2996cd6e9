import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateDataset } from '@olist/generator';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { loadDirectory } from '@olist/loader';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/**
 * Two loaders post the same files at the same time (different batch sizes, so their batches overlap
 * differently). Aggregates race on expected revisions; every fact must still be appended exactly once.
 */
describe('concurrent loads of the same data on the PostgreSQL server', () => {
  let db: TestDatabase;
  let api: EmbeddedApi;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('olist_dw_race');
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-race-'));
    await generateDataset({ orders: 300, seed: 5, outDir: dataDir });
    api = await startEmbeddedApi({ DATABASE_URL: db.url, PROJECTOR: 'in-process' });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('appends every event exactly once and accounts for every row in both loads', async () => {
    const [a, b] = await Promise.all([
      loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 64, concurrency: 3 }),
      loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 101, concurrency: 3 }),
    ]);
    for (const s of [a, b]) {
      expect(s.ok).toBe(true);
      for (const f of s.files) expect([f.file, f.accepted + f.duplicates + f.rejected]).toEqual([f.file, f.rowsRead]);
      expect(s.totals.rejected).toBe(0);
    }
    // Between them, the two loads accepted each row once.
    for (const f of a.files) {
      const other = b.files.find((x) => x.file === f.file)!;
      expect([f.file, f.accepted + other.accepted]).toEqual([f.file, f.rowsRead]);
    }

    const oracle = await csvOracle(dataDir);
    const expected = await oracle.one<{ orders: bigint; items: bigint; payments: bigint }>(
      'SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM payments) AS payments');
    oracle.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ type: string; n: string }>(
        "SELECT event_type AS type, count(*) AS n FROM event_store.events WHERE event_type IN ('OrderPlaced', 'OrderItemAdded', 'PaymentReceived') GROUP BY event_type");
      const byType = Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
      expect(byType).toEqual({ OrderPlaced: Number(expected.orders), OrderItemAdded: Number(expected.items), PaymentReceived: Number(expected.payments) });
      const dup = await client.query('SELECT event_id FROM event_store.events GROUP BY event_id HAVING count(*) > 1');
      expect(dup.rowCount).toBe(0);
    } finally {
      await client.end();
    }

    await api.waitForProjector();
    const facts = (await (await api.duckdb()).query<{ items: bigint }>('SELECT count(*) AS items FROM core.fact_order_items'))[0]!;
    expect(facts.items).toBe(expected.items);
  }, 180_000);
});
