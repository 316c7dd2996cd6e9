import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MartRefreshScheduler } from '@olist/analytics';
import type { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE, SQL_CLIENT } from '@olist/infrastructure';
import type { SqlClient } from '@olist/postgres';
import { DUCKDB, RebuildVerifier, type AsOfReport, type RebuildJobView, type RebuildReport } from '@olist/projector';
import { generateDataset } from '@olist/generator';
import { loadDirectory } from '@olist/loader';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/** POST /v1/admin/rebuild-verify in the process that owns the read models (embedded: the API itself). */
describe('end to end: rebuild-and-verify through the API', () => {
  let dir: string;
  let api: EmbeddedApi;
  let runId: string;
  const verify = () => fetch(`${api.url}/v1/admin/rebuild-verify`, { method: 'POST', headers: api.headers });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-rebuild-api-'));
    await generateDataset({ orders: 200, seed: 3, outDir: dir });
    api = await startEmbeddedApi();
    const summary = await loadDirectory({ dir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 100 });
    await api.waitForRunOutcome(summary.runId);
    await api.waitForProjector();
    runId = summary.runId;
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every table equal after a load, star schema, marts and Postgres read models', async () => {
    const res = await verify();
    expect(res.status).toBe(200);
    const report = (await res.json()) as RebuildReport;
    expect(report.tables.filter((t) => !t.equal).map((t) => t.table)).toEqual([]);
    expect(report.equal).toBe(true);
    const stores = new Set(report.tables.map((t) => t.store));
    expect(stores).toEqual(new Set(['duckdb', 'postgres']));
    expect(report.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['core.fact_orders', 'mart.monthly_revenue', 'data_quality.checks', 'etl_orchestration.pipeline_runs']));
  }, 120_000);

  it('compares the marts at the star schema\'s checkpoint: a refresh still owed when it starts runs first', async () => {
    const db = api.app.get<DuckDbDatabase>(DUCKDB);
    // A schedule that would not refresh by itself for a minute: the marts stay stale unless the verifier settles them.
    const marts = new MartRefreshScheduler(db, { idleMs: 60_000, maxDelayMs: 60_000 });
    const verifier = new RebuildVerifier(api.app.get<EventStore>(EVENT_STORE), db, api.app.get<SqlClient>(SQL_CLIENT), {}, marts);
    const live = await api.duckdb();
    try {
      await live.run('DELETE FROM mart.monthly_revenue');
      marts.notify();
      const report = (await verifier.run()) as RebuildReport;
      expect(report.tables.filter((t) => !t.equal).map((t) => t.table)).toEqual([]);
      expect(await live.scalar<bigint>('SELECT count(*) FROM mart.monthly_revenue')).toBeGreaterThan(0n);
    } finally {
      live.close();
      await marts.stop();
    }
  }, 120_000);

  it('runs as a job: started at once, one at a time, followed to its per-table result; or as of a log position', async () => {
    const start = (body: object) => fetch(`${api.url}/v1/admin/rebuilds`, { method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const follow = async (jobId: string): Promise<RebuildJobView> => {
      for (;;) {
        const job = (await (await fetch(`${api.url}/v1/admin/rebuilds/${jobId}`, { headers: api.headers })).json()) as RebuildJobView;
        if (job.status !== 'running') return job;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await start({});
    expect(first.status).toBe(202);
    const job = (await first.json()) as RebuildJobView;
    expect(job).toMatchObject({ status: 'running', to: null });
    const second = await start({});
    expect([second.status, ((await second.json()) as { code: string; details: { jobId: string } }).details.jobId]).toEqual([409, job.jobId]);
    const done = await follow(job.jobId);
    expect(done).toMatchObject({ status: 'succeeded', result: { equal: true } });
    expect(done.progress.events).toBeGreaterThan(0);

    const { endedAtPosition } = (await (await fetch(`${api.url}/v1/pipeline-runs/${runId}`, { headers: api.headers })).json()) as { endedAtPosition: string };
    const asOf = await follow(((await (await start({ to: endedAtPosition })).json()) as RebuildJobView).jobId);
    const result = asOf.result as AsOfReport;
    expect(result).toMatchObject({ kind: 'as-of', position: endedAtPosition });
    const live = (done.result as RebuildReport).tables.filter((t) => t.store === 'duckdb');
    expect(Object.fromEntries(result.tables.map((t) => [t.table, t.hash]))).toEqual(Object.fromEntries(live.map((t) => [t.table, t.live!.hash])));
    expect((await start({ to: 'nope' })).status).toBe(400);
    expect((await fetch(`${api.url}/v1/admin/rebuilds/7f02e3a6-62fd-5553-9585-932123bb5b76`, { headers: api.headers })).status).toBe(404);
  }, 180_000);

  it('names a deliberately corrupted table, and only that one; one rebuild at a time', async () => {
    const db = await api.duckdb();
    try {
      await db.run("UPDATE core.fact_payments SET payment_value = payment_value + 1 WHERE payment_sequential = 1 AND order_id = (SELECT min(order_id) FROM core.fact_payments)");
    } finally {
      db.close();
    }
    const [first, second] = await Promise.all([verify(), verify()]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    expect(((await (first.status === 409 ? first : second).json()) as { code: string }).code).toBe('REBUILD.IN_PROGRESS');
    const report = (await (first.status === 200 ? first : second).json()) as RebuildReport;
    expect(report.equal).toBe(false);
    expect(report.tables.filter((t) => !t.equal).map((t) => t.table)).toEqual(['core.fact_payments']);
  }, 120_000);
});
