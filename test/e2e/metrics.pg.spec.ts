import { STAR_SCHEMA_PROJECTION } from '@olist/analytics';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateDataset } from '@olist/generator';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { ChildApp, freePort, PROJECTOR_MAIN, sleep, startApiProcess } from '../support/child-apps.js';
import { parseExposition, sumOf, valueOf, type Exposition } from '../support/prometheus.js';

const ADMIN_KEY = generateApiKey();
const ORDERS = 300;
const SEED = 31;
const PROJECTIONS = [STAR_SCHEMA_PROJECTION, 'operational_read_models'];

const eventsInLog = async (url: string): Promise<{ total: number; byType: Record<string, number> }> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ event_type: string; n: string }>('SELECT event_type, count(*) AS n FROM event_store.events GROUP BY event_type');
    const byType = Object.fromEntries(rows.map((r) => [r.event_type, Number(r.n)]));
    return { total: Object.values(byType).reduce((a, n) => a + n, 0), byType };
  } finally {
    await client.end();
  }
};

/**
 * Server mode: the API and the projector as their own processes on the PostgreSQL server, each serving
 * `GET /metrics`. Scraped during a load and after catch-up; the expected numbers come from the loader's
 * summary and from SQL on the event log itself.
 */
describe('Prometheus metrics of both processes (server mode)', () => {
  let dir: string;
  let db: TestDatabase;
  let api: ChildApp | undefined;
  let projector: ChildApp | undefined;
  let apiUrl: string;
  let projectorUrl: string;
  let summary: LoadSummary;
  const during: Array<{ api: Exposition; projector: Exposition }> = [];

  const scrape = async (url: string): Promise<Exposition> => {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    return parseExposition(await response.text());
  };

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }); // the child processes run dist/
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-metrics-pg-'));
    process.stdout.write(`metrics (server mode): ${ORDERS} orders, seed ${SEED}\n`);
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(dir, 'data'), defects: true });
    db = await createTestDatabase('olist_dw_metrics');
    const port = await freePort();
    projectorUrl = `http://127.0.0.1:${port}`;
    const env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', OLIST_DW_ADMIN_KEY: ADMIN_KEY };
    ({ app: api, url: apiUrl } = await startApiProcess({ ...env, PROJECTOR: 'external', PROJECTOR_URL: projectorUrl }, join(dir, 'api.log')));
    projector = new ChildApp(PROJECTOR_MAIN, { ...env, DUCKDB_PATH: join(dir, 'olist.duckdb'), PROJECTOR_HOST: '127.0.0.1', PROJECTOR_PORT: String(port) }, join(dir, 'projector.log'));
    for (let i = 0; ; i++) {
      if (await fetch(`${projectorUrl}/health`).then((r) => r.ok, () => false)) break;
      if (i > 600 || !projector.running) throw new Error(`the projector did not start; see ${dir}/projector.log`);
      await sleep(200);
    }
    const scrapes: Array<Promise<void>> = [];
    summary = await loadDirectory({
      dir: join(dir, 'data'), apiUrl, apiKey: ADMIN_KEY, batchSize: 150, qualityWaitMs: 120_000,
      onProgress: (event) => {
        // In the order the scrapes were made (their answers may come back in another).
        const index = scrapes.length;
        if (event.type === 'file-finished') scrapes.push(Promise.all([scrape(apiUrl), scrape(projectorUrl)]).then(([a, p]) => void (during[index] = { api: a, projector: p })));
      },
    });
    await Promise.all(scrapes);
    const status = (await (await fetch(`${apiUrl}/v1/projections/status?waitMs=120000`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { caughtUp?: boolean };
    expect(status.caughtUp).toBe(true);
  }, 300_000);

  afterAll(async () => {
    await projector?.stop();
    await api?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the API counts rows per file and outcome as the loader did; with the projector (its quality gate appends the run\'s outcome), events by type as the log holds them', async () => {
    expect(summary.ok).toBe(true);
    const exposition = await scrape(apiUrl);
    const projectorExposition = await scrape(projectorUrl);
    for (const file of summary.files) {
      for (const [outcome, count] of [['accepted', file.accepted], ['duplicate', file.duplicates], ['rejected', file.rejected]] as const) {
        expect([file.file, outcome, valueOf(exposition, 'olistdw_rows_ingested_total', { file: file.file, outcome }) ?? 0]).toEqual([file.file, outcome, count]);
      }
    }
    const log = await eventsInLog(db.url);
    const appended = (type: string) => (valueOf(exposition, 'olistdw_events_appended_total', { type }) ?? 0) + (valueOf(projectorExposition, 'olistdw_events_appended_total', { type }) ?? 0);
    for (const [type, n] of Object.entries(log.byType)) expect([type, appended(type)]).toEqual([type, n]);
    expect(valueOf(projectorExposition, 'olistdw_events_appended_total', { type: 'PipelineRunCompleted' })).toBe(1);
    expect(valueOf(exposition, 'olistdw_event_store_append_duration_seconds_count')).toBeGreaterThan(0);
    expect(valueOf(exposition, 'olistdw_pipeline_last_run_status', { status: 'COMPLETED' })).toBe(1);
    expect(valueOf(exposition, 'olistdw_db_pool_max_connections')).toBeGreaterThan(0);
    expect(valueOf(exposition, 'olistdw_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    for (const component of ['event_store', 'database']) expect([component, valueOf(exposition, 'olistdw_up', { component })]).toEqual([component, 1]);
    // The projector's series belong to the projector process.
    expect(exposition.samples.filter((s) => s.name.startsWith('olistdw_projection_'))).toEqual([]);
  });

  it('the projector reports each projection caught up (lag 0, every event of the log applied), its marts, its DuckDB file and its requests', async () => {
    // The marts are refreshed once the projector is idle (debounced): wait for the first refresh.
    let exposition = await scrape(projectorUrl);
    for (let i = 0; i < 300 && !(valueOf(exposition, 'olistdw_mart_refresh_duration_seconds_count')! > 0); i++) {
      await sleep(100);
      exposition = await scrape(projectorUrl);
    }
    const log = await eventsInLog(db.url);
    for (const projection of PROJECTIONS) {
      expect([projection, valueOf(exposition, 'olistdw_projection_lag_events', { projection })]).toEqual([projection, 0]);
      expect([projection, valueOf(exposition, 'olistdw_projection_events_total', { projection })]).toEqual([projection, log.total]);
      expect(valueOf(exposition, 'olistdw_projection_checkpoint_position', { projection })).toBeGreaterThanOrEqual(log.total);
      expect(valueOf(exposition, 'olistdw_projection_running', { projection })).toBe(1);
    }
    expect(valueOf(exposition, 'olistdw_mart_refresh_duration_seconds_count')).toBeGreaterThan(0);
    expect(valueOf(exposition, 'olistdw_duckdb_file_size_bytes')).toBeGreaterThan(100_000);
    for (const component of ['event_store', 'database', 'duckdb']) expect([component, valueOf(exposition, 'olistdw_up', { component })]).toEqual([component, 1]);
    expect(sumOf(exposition, 'olistdw_http_request_duration_seconds_count', { route: '/v1/projections/status' })).toBeGreaterThan(0);
    // The API's operators' endpoint, answered by the projector, says the same lag.
    const status = (await (await fetch(`${apiUrl}/v1/projections/status`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { projections: Array<{ name: string; lagEvents: number }> };
    expect(status.projections.map((p) => [p.name, p.lagEvents])).toEqual(PROJECTIONS.map((name) => [name, 0]));
    expect(valueOf(exposition, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('both processes showed their counters moving during the load', () => {
    expect(during).toHaveLength(summary.files.length);
    const ingested = during.map((d) => sumOf(d.api, 'olistdw_rows_ingested_total'));
    for (let i = 1; i < ingested.length; i++) expect(ingested[i]).toBeGreaterThanOrEqual(ingested[i - 1]!); // a scrape may be answered after the next small file is in
    expect(ingested.at(-1)).toBeGreaterThan(ingested[0]!);
    expect(Math.max(...during.map((d) => sumOf(d.projector, 'olistdw_projection_events_total')))).toBeGreaterThan(0);
  });
});
