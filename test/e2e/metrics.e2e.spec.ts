import { STAR_SCHEMA_PROJECTION } from '@olist/analytics';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DEFAULT_DUCKDB_MEMORY_LIMIT, loadSettings } from '@olist/config';
import { generateDataset } from '@olist/generator';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { createApiApp } from '../../apps/api/src/main.js';
import { parseExposition, sumOf, valueOf, type Exposition } from '../support/prometheus.js';

const ADMIN_KEY = generateApiKey();
const ORDERS = 400;
const SEED = 23;

/** Every series the operator's alerts and dashboards rely on, with its type (issue: metrics on both processes). */
const EXPECTED_TYPES: Record<string, string> = {
  olistdw_http_request_duration_seconds: 'histogram',
  olistdw_rows_ingested_total: 'counter',
  olistdw_events_appended_total: 'counter',
  olistdw_event_store_append_duration_seconds: 'histogram',
  olistdw_projection_checkpoint_position: 'gauge',
  olistdw_projection_lag_events: 'gauge',
  olistdw_projection_last_event_age_seconds: 'gauge',
  olistdw_projection_batch_duration_seconds: 'histogram',
  olistdw_projection_events_total: 'counter',
  olistdw_projection_running: 'gauge',
  olistdw_mart_refresh_duration_seconds: 'histogram',
  olistdw_mart_refresh_failures_total: 'counter',
  olistdw_pipeline_last_run_status: 'gauge',
  olistdw_pipeline_last_run_outcome: 'gauge',
  olistdw_pipeline_last_run_quality_score: 'gauge',
  olistdw_pipeline_last_run_started_timestamp_seconds: 'gauge',
  olistdw_up: 'gauge',
  olistdw_duckdb_file_size_bytes: 'gauge',
  olistdw_duckdb_memory_bytes: 'gauge',
  process_cpu_user_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
  nodejs_heap_size_used_bytes: 'gauge',
  nodejs_eventloop_lag_seconds: 'gauge',
};

/**
 * `GET /metrics` of the embedded API (which hosts the projector) scraped during and after a load: every series
 * exists with its type, follows Prometheus naming, and counts what the loader and the event log say happened.
 */
describe('Prometheus metrics (embedded: the API with its in-process projector)', () => {
  let dir: string;
  let app: INestApplication;
  let url: string;
  let summary: LoadSummary;
  const midLoad: Exposition[] = [];
  const auth = (key = ADMIN_KEY) => ({ authorization: `Bearer ${key}` });

  const scrape = async (key = ADMIN_KEY): Promise<{ status: number; type: string | null; text: string }> => {
    const response = await fetch(`${url}/metrics`, { headers: auth(key) });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-metrics-'));
    process.stdout.write(`metrics e2e: ${ORDERS} orders, seed ${SEED}\n`);
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(dir, 'data'), defects: true });
    app = await createApiApp(loadSettings({ PGLITE_DIR: join(dir, 'pglite'), DUCKDB_PATH: join(dir, 'olist.duckdb'), LOG_LEVEL: 'error', OLIST_DW_ADMIN_KEY: ADMIN_KEY }));
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const scrapes: Array<Promise<void>> = [];
    summary = await loadDirectory({
      dir: join(dir, 'data'), apiUrl: url, apiKey: ADMIN_KEY, batchSize: 200, qualityWaitMs: 120_000,
      onProgress: (event) => {
        // In the order the scrapes were made (their answers may come back in another).
        const index = scrapes.length;
        if (event.type === 'file-finished') scrapes.push(scrape().then((s) => void (midLoad[index] = parseExposition(s.text))));
      },
    });
    await Promise.all(scrapes);
    const status = (await (await fetch(`${url}/v1/projections/status?waitMs=120000`, { headers: auth() })).json()) as { caughtUp?: boolean };
    expect(status.caughtUp).toBe(true);
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the text exposition format with every series typed and named by Prometheus conventions', async () => {
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(text);
    for (const [name, kind] of Object.entries(EXPECTED_TYPES)) expect([name, types.get(name)]).toEqual([name, kind]);
    for (const [name, kind] of types) {
      if (name.startsWith('olistdw_')) {
        expect(name).toMatch(/^olistdw_[a-z0-9_]+$/);
        if (kind === 'counter') expect(name).toMatch(/_total$/);
        else expect(name).not.toMatch(/_total$/);
        if (/duration|_age|since/.test(name)) expect(name).toMatch(/_seconds$/);
      }
    }
    // Bounded labels: routes are patterns, never the run id or file of one request.
    const routes = new Set(samples.filter((s) => s.name === 'olistdw_http_request_duration_seconds_count').map((s) => s.labels.route));
    expect(routes).toContain('/v1/pipeline-runs/:runId/files/:file/batches');
    expect([...routes].filter((r) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(r ?? ''))).toEqual([]);
  });

  it('counts the rows ingested per file and outcome as the loader summed them', async () => {
    const exposition = parseExposition((await scrape()).text);
    expect(summary.ok).toBe(true);
    for (const file of summary.files) {
      for (const [outcome, count] of [['accepted', file.accepted], ['duplicate', file.duplicates], ['rejected', file.rejected]] as const) {
        expect([file.file, outcome, valueOf(exposition, 'olistdw_rows_ingested_total', { file: file.file, outcome }) ?? 0]).toEqual([file.file, outcome, count]);
      }
    }
    expect(summary.totals.rejected).toBeGreaterThan(0);
  });

  it('counts the events appended by type as the event log holds them, and times the appends', async () => {
    const exposition = parseExposition((await scrape()).text);
    const log = (await (await fetch(`${url}/v1/audit/events/counts`, { headers: auth() })).json()) as { total: number; counts: Record<string, number> };
    for (const [type, count] of Object.entries(log.counts)) {
      expect([type, valueOf(exposition, 'olistdw_events_appended_total', { type })]).toEqual([type, count]);
    }
    expect(sumOf(exposition, 'olistdw_events_appended_total')).toBe(log.total);
    expect(valueOf(exposition, 'olistdw_event_store_append_duration_seconds_count')).toBeGreaterThan(0);
  });

  it('shows each projection caught up: lag 0, every event applied, checkpoint set, running', async () => {
    const exposition = parseExposition((await scrape()).text);
    const log = (await (await fetch(`${url}/v1/audit/events/counts`, { headers: auth() })).json()) as { total: number };
    for (const projection of [STAR_SCHEMA_PROJECTION, 'operational_read_models']) {
      const labels = { projection };
      expect([projection, valueOf(exposition, 'olistdw_projection_lag_events', labels)]).toEqual([projection, 0]);
      expect([projection, valueOf(exposition, 'olistdw_projection_events_total', labels)]).toEqual([projection, log.total]);
      expect(valueOf(exposition, 'olistdw_projection_checkpoint_position', labels)).toBeGreaterThan(0);
      expect(valueOf(exposition, 'olistdw_projection_running', labels)).toBe(1);
      expect(valueOf(exposition, 'olistdw_projection_batch_duration_seconds_count', labels)).toBeGreaterThan(0);
      expect(valueOf(exposition, 'olistdw_projection_last_event_age_seconds', labels)).toBeGreaterThanOrEqual(0);
    }
    // The operators' endpoint says the same lag.
    const status = (await (await fetch(`${url}/v1/projections/status`, { headers: auth() })).json()) as { projections: Array<{ name: string; lagEvents: number }> };
    expect(status.projections.map((p) => [p.name, p.lagEvents])).toEqual([[STAR_SCHEMA_PROJECTION, 0], ['operational_read_models', 0]]);
    // Scraped as each file finished, during the load: the counters grew with the files (a scrape may be answered
    // after the next small file is in, so two in a row may be equal).
    expect(midLoad.length).toBe(summary.files.length);
    const ingested = midLoad.map((e) => sumOf(e, 'olistdw_rows_ingested_total'));
    expect(ingested[0]).toBeGreaterThan(0);
    for (let i = 1; i < ingested.length; i++) expect(ingested[i]).toBeGreaterThanOrEqual(ingested[i - 1]!);
    expect(ingested.at(-1)).toBeGreaterThan(ingested[0]!);
  });

  it('reports the marts refreshed, the latest run and its quality, the stores up and the DuckDB file', async () => {
    // The marts are refreshed once the projector is idle (debounced): wait for the first refresh.
    let exposition = parseExposition((await scrape()).text);
    for (let i = 0; i < 300 && !(valueOf(exposition, 'olistdw_mart_refresh_duration_seconds_count')! > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      exposition = parseExposition((await scrape()).text);
    }
    expect(valueOf(exposition, 'olistdw_mart_refresh_duration_seconds_count')).toBeGreaterThan(0);
    const runs = (await (await fetch(`${url}/v1/pipeline-runs`, { headers: auth() })).json()) as { runs: Array<{ status: string; outcome: string; quality_score: number }> };
    const latest = runs.runs[0]!;
    expect(latest.status).toBe('COMPLETED');
    expect(valueOf(exposition, 'olistdw_pipeline_last_run_status', { status: 'COMPLETED' })).toBe(1);
    expect(sumOf(exposition, 'olistdw_pipeline_last_run_status')).toBe(1);
    expect(valueOf(exposition, 'olistdw_pipeline_last_run_outcome', { outcome: latest.outcome })).toBe(1);
    expect(valueOf(exposition, 'olistdw_pipeline_last_run_quality_score')).toBe(latest.quality_score);
    for (const component of ['event_store', 'database', 'duckdb']) expect([component, valueOf(exposition, 'olistdw_up', { component })]).toEqual([component, 1]);
    expect(valueOf(exposition, 'olistdw_duckdb_file_size_bytes')).toBeGreaterThan(100_000);
    // What DuckDB's buffer manager holds: the tables just projected, within the owner's default memory limit (in MB).
    expect(valueOf(exposition, 'olistdw_duckdb_memory_bytes', { tag: 'base_table' })).toBeGreaterThan(0);
    expect(DEFAULT_DUCKDB_MEMORY_LIMIT).toMatch(/^\d+MB$/);
    expect(sumOf(exposition, 'olistdw_duckdb_memory_bytes')).toBeLessThanOrEqual(Number.parseInt(DEFAULT_DUCKDB_MEMORY_LIMIT, 10) * 2 ** 20);
    expect(valueOf(exposition, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('needs a key of the viewer role (or admin): no key 401, an analyst 403', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const keyOf = async (name: string, role: string): Promise<string> => {
      const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/v1/admin/users', { name, role })).status).toBe(201);
      return ((await (await post('/v1/admin/keys', { user: name })).json()) as { key: string }).key;
    };
    expect((await scrape(await keyOf('prometheus', 'viewer'))).status).toBe(200);
    expect((await scrape(await keyOf('ana', 'analyst'))).status).toBe(403);
  });
});
