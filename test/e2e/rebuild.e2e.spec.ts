import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_TABLES, STAR_SCHEMA_TABLES } from '@olist/analytics';
import type { RebuildReport } from '@olist/projector';
import { loadSettings, type Settings } from '@olist/config';
import { DuckDbDatabase } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { createPgliteClient } from '@olist/postgres';
import { loadDirectory } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { createApiApp } from '../../apps/api/src/main.js';
import { renderReport, runRebuild } from '../../tools/rebuild.js';

const differing = (report: RebuildReport): string[] => report.tables.filter((t) => !t.equal).map((t) => t.table);

/**
 * `npm run rebuild` in embedded mode: a generated dataset (with rejected rows, so the quarantine has rows)
 * loaded through the real API and its in-process projector; once the API is stopped, the rebuild replays
 * the log into fresh read models and must find every table equal — and exactly the table we corrupt.
 */
describe('rebuild from position 0 (embedded: PGlite + DuckDB file)', () => {
  let dir: string;
  let settings: Settings;
  const adminKey = generateApiKey();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-rebuild-'));
    const dataDir = join(dir, 'data');
    await generateDataset({ orders: 300, seed: 11, outDir: dataDir, defects: true });
    settings = loadSettings({ PGLITE_DIR: join(dir, 'pglite'), DUCKDB_PATH: join(dir, 'olist.duckdb'), LOG_LEVEL: 'error', OLIST_DW_ADMIN_KEY: adminKey });
    const app = await createApiApp(settings);
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      const url = `http://127.0.0.1:${port}`;
      const load = await loadDirectory({ dir: dataDir, apiUrl: url, apiKey: adminKey, batchSize: 150 });
      expect(load.totals.rejected).toBeGreaterThan(0);
      const status = (await (await fetch(`${url}/v1/projections/status?waitMs=120000`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { caughtUp?: boolean };
      expect(status.caughtUp).toBe(true);
    } finally {
      await app.close(); // stops the projector: pending mart refresh runs, files released
    }
  }, 240_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every star-schema, mart and Postgres read-model table equal after a full load', async () => {
    const report = await runRebuild(settings);
    process.stdout.write(`${renderReport(report)}\n`);
    expect(differing(report)).toEqual([]);
    expect(report.equal).toBe(true);
    const names = report.tables.map((t) => t.table);
    expect(names).toEqual(expect.arrayContaining([...STAR_SCHEMA_TABLES, ...MART_TABLES,
      'etl_orchestration.pipeline_runs', 'etl_orchestration.task_executions', 'data_quality.invalid_rows']));
    for (const t of report.tables) expect([t.table, t.live?.rows]).toEqual([t.table, t.rebuilt?.rows]);
    // Not vacuous: the tables have rows, the quarantine included.
    const rows = Object.fromEntries(report.tables.map((t) => [t.table, t.live?.rows ?? 0]));
    expect(rows['core.fact_order_items']).toBeGreaterThan(300);
    expect(rows['mart.monthly_revenue']).toBeGreaterThan(0);
    expect(rows['data_quality.invalid_rows']).toBeGreaterThan(0);
    for (const p of report.projections) expect([p.projection, p.liveEventsProjected]).toEqual([p.projection, p.events]);
  }, 120_000);

  it('reports exactly the corrupted DuckDB fact table as different', async () => {
    const db = await DuckDbDatabase.open(settings.duckdbPath);
    const client = await db.connect();
    const corrupt = (delta: string) =>
      client.run(`UPDATE core.fact_order_items SET price = price + ${delta}
                  WHERE (order_id, order_item_id) = (SELECT (order_id, order_item_id) FROM core.fact_order_items ORDER BY order_id, order_item_id LIMIT 1)`);
    expect(await corrupt('1')).toBe(1);
    client.close();
    db.close();
    try {
      const report = await runRebuild(settings);
      expect(report.equal).toBe(false);
      expect(differing(report)).toEqual(['core.fact_order_items']);
      const item = report.tables.find((t) => t.table === 'core.fact_order_items')!;
      expect(item.live!.rows).toBe(item.rebuilt!.rows); // same rows, different content
      expect(renderReport(report)).toMatch(/core\.fact_order_items\s+duckdb\s+\d+\s+\d+\s+NO/);
    } finally {
      const again = await DuckDbDatabase.open(settings.duckdbPath);
      const c = await again.connect();
      await c.run(`UPDATE core.fact_order_items SET price = price - 1
                   WHERE (order_id, order_item_id) = (SELECT (order_id, order_item_id) FROM core.fact_order_items ORDER BY order_id, order_item_id LIMIT 1)`);
      c.close();
      again.close();
    }
  }, 120_000);

  it('reports exactly the corrupted Postgres read-model table as different', async () => {
    const pg = await createPgliteClient(settings.pgliteDir);
    const { rowCount } = await pg.query(
      `UPDATE etl_orchestration.task_executions SET accepted = accepted + 1
       WHERE (run_id, file) = (SELECT run_id, file FROM etl_orchestration.task_executions ORDER BY file LIMIT 1)`);
    expect(rowCount).toBe(1);
    await pg.close();
    const report = await runRebuild(settings);
    expect(report.equal).toBe(false);
    expect(differing(report)).toEqual(['etl_orchestration.task_executions']);
  }, 120_000);
});
