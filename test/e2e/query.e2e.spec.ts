import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { QueryError, type MartRefreshScheduler, type QueryResult, type QueryRunner } from '@olist/analytics';
import { generateDataset } from '@olist/generator';
import { HttpErrorsFilter } from '@olist/infrastructure';
import { loadDirectory } from '@olist/loader';
import { MART_REFRESH, QUERY_RUNNER } from '@olist/projector';
import { ProjectorQueryRunner } from '../../libs/projector/src/api/projector-query-runner.js';
import { InternalQueryController } from '../../libs/projector/src/http/internal-query.controller.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const TIMEOUT_MS = 2_000;

/**
 * Analysts' ad-hoc SQL through the real HTTP API (embedded mode: the API process owns the DuckDB file and
 * answers from a sandboxed snapshot of it), after a small generated load: JSON and CSV answers, refusals
 * with their codes, the timeout and the row cap (docs/ad-hoc-sql.md).
 */
describe('POST /v1/query (embedded)', () => {
  let api: EmbeddedApi;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-query-'));
    await generateDataset({ orders: 300, seed: 11, outDir: dataDir });
    api = await startEmbeddedApi({ QUERY_TIMEOUT_MS: String(TIMEOUT_MS), QUERY_MAX_ROWS: '5000', QUERY_DEFAULT_ROWS: '100' });
    const load = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 200 });
    expect(load.totals.rejected).toBe(0);
    await api.waitForRunOutcome(load.runId); // the quality gate's events, projected too: no refresh after ours
    await api.waitForProjector();
    await api.app.get<MartRefreshScheduler>(MART_REFRESH).refreshNow();
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (body: Record<string, unknown>, headers: Record<string, string> = api.headers) => {
    const response = await fetch(`${api.url}/v1/query`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  const answer = async (body: Record<string, unknown>): Promise<QueryResult> => {
    const { status, body: json, text } = await post(body);
    expect([status, status === 200 ? '' : text]).toEqual([200, '']);
    return json as QueryResult;
  };
  const live = async <T extends object>(sql: string): Promise<T[]> => {
    const dw = await api.duckdb();
    try {
      return await dw.query<T>(sql);
    } finally {
      dw.close();
    }
  };

  const REVENUE_BY_STATE = `
    WITH states AS (
      SELECT c.state AS customer_state, count(DISTINCT o.order_id) AS orders, sum(i.price) AS gmv
      FROM core.fact_orders o JOIN core.dim_customer c USING (customer_key) JOIN core.fact_order_items i USING (order_id)
      GROUP BY ALL)
    SELECT customer_state, orders, gmv, rank() OVER (ORDER BY gmv DESC, customer_state) AS gmv_rank,
           (SELECT max(month) FROM mart.monthly_revenue) AS last_month
    FROM states ORDER BY gmv_rank`;

  it('answers JSON: typed columns, the rows the live star schema gives, and the snapshot the projector is at', async () => {
    const result = await answer({ sql: REVENUE_BY_STATE, limit: 1000 });
    expect(result.columns).toEqual([
      { name: 'customer_state', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT' },
      { name: 'gmv', type: 'DECIMAL(38,2)' },
      { name: 'gmv_rank', type: 'BIGINT' },
      { name: 'last_month', type: 'DATE' },
    ]);
    const expected = await live<{ customer_state: string; orders: bigint; gmv: string; gmv_rank: bigint; last_month: string }>(REVENUE_BY_STATE);
    expect(expected.length).toBeGreaterThan(5);
    expect(result.rows).toEqual(expected.map((r) => ({ ...r, orders: Number(r.orders), gmv: Number(r.gmv), gmv_rank: Number(r.gmv_rank) })));
    expect(result).toMatchObject({ rowCount: expected.length, truncated: false, limit: 1000 });
    const [position] = await live<{ checkpoint: string; refreshes: bigint }>(
      "SELECT checkpoint, (SELECT count(*) FROM mart.refresh_log) AS refreshes FROM core.projection_checkpoint WHERE projection = 'core_star_schema'",
    );
    expect(result.snapshot).toMatchObject({ checkpoint: position!.checkpoint, martRefresh: { sequence: Number(position!.refreshes) } });
    expect(result.snapshot.copyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers CSV: the same rows, the other facts in X-Query-* headers', async () => {
    const json = await answer({ sql: REVENUE_BY_STATE, limit: 3 });
    const csv = await post({ sql: REVENUE_BY_STATE, limit: 3, format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(parse(csv.text, { columns: true })).toEqual(json.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))));
    expect({
      rows: csv.headers.get('x-query-row-count'),
      truncated: csv.headers.get('x-query-truncated'),
      limit: csv.headers.get('x-query-limit'),
      types: JSON.parse(csv.headers.get('x-query-column-types')!),
      checkpoint: csv.headers.get('x-query-snapshot-checkpoint'),
      sequence: Number(csv.headers.get('x-query-mart-refresh-sequence')),
    }).toEqual({
      rows: '3',
      truncated: 'true',
      limit: '3',
      types: json.columns.map((c) => c.type),
      checkpoint: json.snapshot.checkpoint,
      sequence: json.snapshot.martRefresh!.sequence,
    });
    expect(Number(csv.headers.get('x-query-elapsed-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('refuses escape routes and anything but one SELECT: 400 with a stable code', async () => {
    const cases: ReadonlyArray<[string, string]> = [
      [`SELECT * FROM read_csv('/etc/passwd')`, 'QUERY.REFUSED'],
      [`SELECT * FROM read_blob('${api.settings.duckdbPath}')`, 'QUERY.REFUSED'],
      [`SELECT * FROM glob('${api.settings.querySnapshotDir}/*')`, 'QUERY.REFUSED'],
      [`SELECT * FROM enable_logging()`, 'QUERY.REFUSED'],
      [`ATTACH '${api.settings.duckdbPath}' AS live`, 'QUERY.NOT_A_SELECT'],
      [`COPY core.fact_orders TO '${join(dataDir, 'out.csv')}'`, 'QUERY.NOT_A_SELECT'],
      ['INSTALL httpfs', 'QUERY.NOT_A_SELECT'],
      ['SET enable_external_access = true', 'QUERY.NOT_A_SELECT'],
      ['PRAGMA version', 'QUERY.NOT_A_SELECT'],
      ['DELETE FROM core.fact_orders', 'QUERY.NOT_A_SELECT'],
      ['SELECT 1; DROP TABLE core.fact_orders', 'QUERY.MULTIPLE_STATEMENTS'],
      ['SELECT * FROM core.nope', 'QUERY.INVALID'],
    ];
    for (const [sql, code] of cases) {
      const { status, body } = await post({ sql });
      expect([sql, status, body?.code]).toEqual([sql, 400, code]);
      expect(typeof body.message).toBe('string');
    }
    expect(Number((await live<{ n: bigint }>('SELECT count(*) AS n FROM core.fact_orders'))[0]!.n)).toBeGreaterThan(0);
  });

  it('interrupts a query that runs forever at QUERY_TIMEOUT_MS (400 QUERY.TIMEOUT naming it), and answers the next one', async () => {
    const started = performance.now();
    const { status, body } = await post({ sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t' });
    expect([status, body.code, body.details]).toEqual([400, 'QUERY.TIMEOUT', { timeoutMs: TIMEOUT_MS }]);
    expect(body.message).toContain(`${TIMEOUT_MS} ms`);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 3_000);
    expect((await answer({ sql: 'SELECT count(*) AS n FROM mart.monthly_revenue' })).rows[0]!.n).toBeGreaterThan(0);
  });

  it('caps the rows: a cross join of a trillion rows answers its first `limit` rows, truncated; a limit above QUERY_MAX_ROWS is a 400', async () => {
    const huge = 'SELECT a.range AS a, b.range AS b FROM range(1000000) a, range(1000000) b';
    expect(await answer({ sql: huge })).toMatchObject({ rowCount: 100, truncated: true, limit: 100 });
    const most = await answer({ sql: huge, limit: 5000 });
    expect(most).toMatchObject({ rowCount: 5000, truncated: true, limit: 5000 });
    expect(most.rows).toHaveLength(5000);
    expect(await answer({ sql: 'SELECT * FROM range(42)', limit: 5000 })).toMatchObject({ rowCount: 42, truncated: false });
    const over = await post({ sql: huge, limit: 5001 });
    expect([over.status, over.body.code, over.body.details]).toEqual([400, 'QUERY.INVALID', { parameter: 'limit' }]);
  });

  it('validates the request (400 REQUEST.INVALID) and needs a key', async () => {
    for (const body of [{}, { sql: '' }, { sql: 'SELECT 1', limit: 0 }, { sql: 'SELECT 1', limit: 2.5 }, { sql: 'SELECT 1', format: 'xml' }, { sql: 'SELECT 1', extra: 1 }, { sql: 'x'.repeat(100_001) }]) {
      const { status, body: error } = await post(body);
      expect([status, error.code]).toEqual([400, 'REQUEST.INVALID']);
    }
    expect((await post({ sql: 'SELECT 1' }, {})).status).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const response = await fetch(`${api.url}/docs-json`, { headers: api.headers });
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths['/v1/query'] ?? {})).toEqual(['post']);
  });

  it('answers alike over the projector\'s internal endpoint (PROJECTOR=external): the same rows, the same typed errors', async () => {
    const owner = api.app.get<QueryRunner>(QUERY_RUNNER);
    const moduleRef = await Test.createTestingModule({ controllers: [InternalQueryController], providers: [{ provide: QUERY_RUNNER, useValue: owner }] }).compile();
    const projector = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    projector.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    projector.useGlobalFilters(new HttpErrorsFilter());
    await projector.listen(0, '127.0.0.1');
    let closed = false;
    try {
      const remote = new ProjectorQueryRunner(`http://127.0.0.1:${(projector.getHttpServer().address() as { port: number }).port}`, 30_000);
      const [here, there] = [await owner.run({ sql: REVENUE_BY_STATE }), await remote.run({ sql: REVENUE_BY_STATE })];
      expect(there.rows).toEqual(here.rows);
      expect(there.snapshot).toEqual(here.snapshot);
      for (const [sql, limit, code] of [
        [`SELECT * FROM read_text('/etc/passwd')`, undefined, 'QUERY.REFUSED'],
        ['SET threads = 4', undefined, 'QUERY.NOT_A_SELECT'],
        ['SELECT 1; SELECT 2', undefined, 'QUERY.MULTIPLE_STATEMENTS'],
        ['SELECT 1', 5001, 'QUERY.INVALID'],
        ['', undefined, 'QUERY.INVALID'],
      ] as const) {
        const error = await remote.run({ sql, limit }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(QueryError);
        expect([sql, (error as QueryError).code, (error as QueryError).kind]).toEqual([sql, code, 'invalid']);
      }
      await projector.close();
      closed = true;
      await expect(remote.run({ sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'QUERY.UNAVAILABLE', kind: 'unavailable' });
    } finally {
      if (!closed) await projector.close();
    }
  });
});
