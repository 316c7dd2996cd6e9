import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_NAMES, STAR_SCHEMA_PROJECTION } from '@olist/analytics';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { generateApiKey } from '@olist/security';
import { exportTables } from '../../tools/export.js';
import { olistDwProgram } from '../../tools/olist-dw.js';
import { downloadSnapshot } from '../../tools/support/snapshot-download.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const ADMIN_KEY = generateApiKey();
const ORDERS = 300;
const SEED = 5;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * What analysts take to their own tools: a mart page as Parquet, a consistent DuckDB snapshot of the star schema
 * and marts, and `olist-dw export` of every table as Parquet or CSV — each read back by DuckDB and compared with
 * the marts the API serves.
 */
describe('exports for analysts’ tools (embedded)', () => {
  let dir: string;
  let api: EmbeddedApi;
  let url: string;
  let snapshotFile: string;
  let duck: DuckDbDatabase;
  let client: DuckDbClient;
  const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-exports-'));
    process.stdout.write(`exports e2e: ${ORDERS} orders, seed ${SEED}\n`);
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(dir, 'data') });
    api = await startEmbeddedApi({ OLIST_DW_ADMIN_KEY: ADMIN_KEY });
    url = api.url;
    await api.loadAndSettle(join(dir, 'data'), 500);
    snapshotFile = join(dir, 'snapshot.duckdb');
    await downloadSnapshot({ api: url, apiKey: ADMIN_KEY, progress: false }, snapshotFile);
    duck = await DuckDbDatabase.open(snapshotFile, { config: { access_mode: 'READ_ONLY' } });
    client = await duck.connect();
  }, 240_000);

  afterAll(async () => {
    client?.close();
    duck?.close();
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Rows of `a` not in `b` and of `b` not in `a` (as multisets), and both counts. */
  const compare = async (a: string, b: string) => ({
    left: Number(await client.scalar(`SELECT count(*) FROM ${a}`)),
    right: Number(await client.scalar(`SELECT count(*) FROM ${b}`)),
    onlyLeft: Number(await client.scalar(`SELECT count(*) FROM (SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b})`)),
    onlyRight: Number(await client.scalar(`SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})`)),
  });

  it('serves every mart as Parquet with the mart’s rows and column types', async () => {
    const catalog = (await (await get('/v1/marts')).json()) as { marts: Array<{ name: string; rows: number; columns: Array<{ name: string; type: string }> }> };
    expect(catalog.marts.map((m) => m.name).sort()).toEqual([...MART_NAMES].sort());
    for (const mart of catalog.marts) {
      const response = await get(`/v1/marts/${mart.name}?format=parquet&limit=100000`);
      expect([mart.name, response.status, response.headers.get('content-type')]).toEqual([mart.name, 200, 'application/vnd.apache.parquet']);
      const file = join(dir, `${mart.name}.parquet`);
      await writeFile(file, Buffer.from(await response.arrayBuffer()));
      const parquet = `read_parquet(${literal(file)})`;
      const types = await client.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${parquet}`);
      expect(types.map((t) => [t.column_name, t.column_type])).toEqual(mart.columns.map((c) => [c.name, c.type]));
      const diff = await compare(parquet, `mart.${mart.name}`);
      expect([mart.name, diff]).toEqual([mart.name, { left: mart.rows, right: mart.rows, onlyLeft: 0, onlyRight: 0 }]);
    }
    expect(catalog.marts.reduce((n, m) => n + m.rows, 0)).toBeGreaterThan(100);
  });

  it('the snapshot is a consistent copy: the marts as the API serves them, the star schema as projected', async () => {
    const status = (await (await get('/v1/projections/status')).json()) as { projections: Array<{ name: string; checkpoint: string; eventsProjected: number }> };
    const star = status.projections.find((p) => p.name === STAR_SCHEMA_PROJECTION)!;
    const copied = await client.queryOne<{ checkpoint: string; events_projected: bigint }>(`SELECT checkpoint, events_projected FROM core.projection_checkpoint WHERE projection = '${STAR_SCHEMA_PROJECTION}'`);
    expect([copied!.checkpoint, Number(copied!.events_projected)]).toEqual([star.checkpoint, star.eventsProjected]);
    const revenue = (await (await get('/v1/marts/monthly_revenue?limit=100000')).json()) as { rows: Array<{ month: string; orders: number }> };
    const fromSnapshot = await client.query<{ month: string; orders: number }>(`SELECT strftime(month, '%Y-%m-%d') AS month, orders::INTEGER AS orders FROM mart.monthly_revenue ORDER BY month`);
    expect(fromSnapshot).toEqual(revenue.rows.map((r) => ({ month: r.month, orders: r.orders })));
    expect(Number(await client.scalar('SELECT count(*) FROM core.fact_orders'))).toBe(ORDERS);
    // Read-only, and nothing of the owner's private schemas.
    await expect(client.run('DELETE FROM core.fact_orders')).rejects.toThrow(/read-only/i);
    const schemas = await client.query<{ schema_name: string }>(`SELECT DISTINCT schema_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1`);
    expect(schemas.map((s) => s.schema_name)).toEqual(['core', 'mart']);
  });

  it('exports every core and mart table as Parquet and as CSV, each reading back to the same rows', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const out = join(dir, `export-${format}`);
      const tables = await exportTables(snapshotFile, out, { schemas: ['core', 'mart'], format });
      expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['core.fact_orders', 'core.dim_customer', 'mart.monthly_revenue', 'mart.seller_scorecard']));
      expect(tables.filter((t) => t.table.startsWith('mart.')).map((t) => t.table.slice(5)).sort()).toEqual([...MART_NAMES, 'refresh_log'].sort());
      for (const t of tables) {
        const file = literal(join(out, t.file));
        const reader = format === 'parquet'
          ? `read_parquet(${file})`
          : `read_csv(${file}, header = true, allow_quoted_nulls = false, columns = {${t.columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}})`;
        const diff = await compare(`(SELECT * FROM ${reader})`, t.table);
        expect([format, t.table, diff]).toEqual([format, t.table, { left: t.rows, right: t.rows, onlyLeft: 0, onlyRight: 0 }]);
      }
    }
  });

  it('`olist-dw --help` lists every command', async () => {
    const help = olistDwProgram().helpInformation();
    for (const command of ['demo', 'serve', 'projector', 'load', 'generate', 'rebuild', 'export', 'snapshot', 'backup', 'restore', 'users', 'keys', 'erase', 'lineage', 'bench']) {
      expect([command, help]).toEqual([command, expect.stringMatching(new RegExp(`^  ${command} `, 'm'))]);
    }
    expect(JSON.parse(await readFile('package.json', 'utf8')).bin).toEqual({ 'olist-dw': 'bin/olist-dw.js' });
  });
});
