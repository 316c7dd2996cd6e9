import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { MART_NAMES, type MartCatalog, type MartPage, type MartRefreshScheduler } from '@olist/analytics';
import { generateDataset } from '@olist/generator';
import { loadDirectory } from '@olist/loader';
import { MART_REFRESH } from '@olist/projector';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const cents = (value: unknown): number => Math.round(Number(value) * 100);

/**
 * Analysts' reads over HTTP (embedded mode: the API process owns the DuckDB file and answers them):
 * figures against DuckDB SQL over the generated CSV files, paging, filters, ordering, CSV, and bad input.
 */
describe('mart reads over HTTP (embedded)', () => {
  let api: EmbeddedApi;
  let dataDir: string;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-reads-'));
    await generateDataset({ orders: 400, seed: 7, outDir: dataDir });
    api = await startEmbeddedApi();
    const load = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 200 });
    expect(load.totals.rejected).toBe(0);
    await api.waitForRunOutcome(load.runId); // the quality gate's events, projected too: no refresh after ours
    await api.waitForProjector();
    await api.app.get<MartRefreshScheduler>(MART_REFRESH).refreshNow();
    oracle = await csvOracle(dataDir);
    await oracle.all(`CREATE VIEW sold AS
      SELECT order_id, customer_id, CAST(order_purchase_timestamp AS TIMESTAMP) AS purchased
      FROM orders WHERE order_status <> 'canceled' AND order_status <> 'unavailable'`);
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${api.url}${path}`, { headers: api.headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  const page = async (path: string): Promise<MartPage> => {
    const answer = await get(path);
    expect([path, answer.status]).toEqual([path, 200]);
    return answer.body as MartPage;
  };

  it('lists every mart with its description and typed, described columns, as of the latest refresh', async () => {
    const { status, body } = await get('/v1/marts');
    expect(status).toBe(200);
    const catalog = body as MartCatalog;
    expect(catalog.marts.map((m) => m.name)).toEqual([...MART_NAMES]);
    const revenue = catalog.marts.find((m) => m.name === 'monthly_revenue')!;
    expect(revenue.table).toBe('mart.monthly_revenue');
    expect(revenue.description).toMatch(/Revenue per purchase month/);
    expect(revenue.columns.slice(0, 7).map((c) => [c.name, c.type])).toEqual([
      ['month', 'DATE'], ['orders', 'BIGINT'], ['items', 'BIGINT'], ['gmv', 'DECIMAL(18,2)'], ['freight', 'DECIMAL(18,2)'],
      ['revenue', 'DECIMAL(18,2)'], ['aov', 'DECIMAL(18,2)'],
    ]);
    expect(revenue.columns.every((c) => typeof c.description === 'string' && c.description.length > 0)).toBe(true);
    const dw = await api.duckdb();
    try {
      const log = await dw.query<{ checkpoint: string; refreshed_at: Date }>('SELECT checkpoint, refreshed_at FROM mart.refresh_log ORDER BY refreshed_at');
      const reported = log[catalog.refresh.sequence - 1]!;
      expect([reported.refreshed_at.toISOString(), reported.checkpoint]).toEqual([catalog.refresh.refreshedAt, catalog.refresh.checkpoint]);
      expect(catalog.refresh.checkpoint).toBe(await dw.scalar("SELECT checkpoint FROM core.projection_checkpoint WHERE projection = 'core_star_schema'"));
      for (const mart of catalog.marts) expect([mart.name, mart.rows]).toEqual([mart.name, Number(await dw.scalar(`SELECT count(*) FROM ${mart.table}`))]);
    } finally {
      dw.close();
    }
  });

  it('reads monthly revenue whose figures equal DuckDB SQL over the CSV files', async () => {
    const expected = await oracle.all<{ month: string; orders: bigint; gmv: string; freight: string }>(`
      SELECT strftime(date_trunc('month', s.purchased), '%Y-%m-%d') AS month, count(DISTINCT s.order_id) AS orders,
             coalesce(sum(CAST(i.price AS DECIMAL(18,2))), 0)::VARCHAR AS gmv, coalesce(sum(CAST(i.freight_value AS DECIMAL(18,2))), 0)::VARCHAR AS freight
      FROM sold s LEFT JOIN items i ON i.order_id = s.order_id GROUP BY 1 ORDER BY 1`);
    const answer = await page('/v1/marts/monthly_revenue?limit=1000');
    expect(answer.total).toBe(expected.length);
    expect(answer.rows.map((r) => [r['month'], r['orders'], cents(r['gmv']), cents(r['freight']), cents(r['revenue'])])).toEqual(
      expected.map((e) => [e.month, Number(e.orders), cents(e.gmv), cents(e.freight), cents(e.gmv) + cents(e.freight)]),
    );
  });

  it('pages through a mart: pages of one refresh partition the rows in a stable order', async () => {
    const all = await page('/v1/marts/delivery_performance?limit=100000');
    expect(all.total).toBeGreaterThan(20);
    expect(all.rows).toHaveLength(all.total);
    const pages: MartPage[] = [];
    for (let offset = 0; offset < all.total; offset += 7) pages.push(await page(`/v1/marts/delivery_performance?limit=7&offset=${offset}`));
    expect(new Set(pages.map((p) => p.refresh.sequence))).toEqual(new Set([all.refresh.sequence]));
    expect(pages.flatMap((p) => p.rows)).toEqual(all.rows);
    expect(pages.every((p) => p.total === all.total && p.limit === 7)).toBe(true);
    // Default order: the grain (month, customer_state).
    const keys = all.rows.map((r) => `${r['month']}|${r['customer_state']}`);
    expect(keys).toEqual([...keys].sort());
    const beyond = await page(`/v1/marts/delivery_performance?offset=${all.total + 5}`);
    expect([beyond.rows.length, beyond.total]).toEqual([0, all.total]);
  });

  it('filters by equality (one value or several) and by date and number ranges', async () => {
    const byState = await oracle.all<{ state: string; delivered: bigint }>(`
      SELECT c.customer_state AS state, count(*) AS delivered FROM orders o JOIN customers c USING (customer_id)
      WHERE o.order_delivered_customer_date <> '' GROUP BY 1 ORDER BY delivered DESC, state LIMIT 2`);
    const [a, b] = byState.map((s) => s.state);
    const one = await page(`/v1/marts/delivery_performance?customer_state=${a}&limit=1000`);
    expect(one.rows.every((r) => r['customer_state'] === a)).toBe(true);
    expect(one.rows.reduce((n, r) => n + Number(r['delivered_orders']), 0)).toBe(Number(byState[0]!.delivered));
    const two = await page(`/v1/marts/delivery_performance?customer_state=${a}&customer_state=${b}&limit=1000`);
    expect(two.rows.reduce((n, r) => n + Number(r['delivered_orders']), 0)).toBe(Number(byState[0]!.delivered) + Number(byState[1]!.delivered));

    const all = await page('/v1/marts/monthly_revenue?limit=1000');
    const months = all.rows.map((r) => r['month'] as string);
    const [from, to] = [months[2]!, months[months.length - 3]!];
    const range = await page(`/v1/marts/monthly_revenue?month.gte=${from}&month.lt=${to}&limit=1000`);
    expect(range.rows.map((r) => r['month'])).toEqual(months.filter((m) => m >= from && m < to));
    expect(range.total).toBe(range.rows.length);

    const median = [...all.rows.map((r) => Number(r['gmv']))].sort((x, y) => x - y)[Math.floor(all.rows.length / 2)]!;
    const rich = await page(`/v1/marts/monthly_revenue?gmv.gt=${median}&orders.gte=1&limit=1000`);
    expect(rich.rows.map((r) => r['month'])).toEqual(all.rows.filter((r) => Number(r['gmv']) > median).map((r) => r['month']));

    const expectedCard = await oracle.one<{ value: string }>(`
      SELECT sum(CAST(p.payment_value AS DECIMAL(18,2)))::VARCHAR AS value FROM payments p JOIN sold s USING (order_id) WHERE p.payment_type = 'credit_card'`);
    const card = await page('/v1/marts/payment_mix?payment_type=credit_card');
    expect(card.rows.map((r) => cents(r['value']))).toEqual([cents(expectedCard.value)]);
  });

  it('orders by any columns, descending with -, ties broken deterministically', async () => {
    const expected = await oracle.all<{ seller_id: string; gmv: string }>(`
      SELECT i.seller_id, sum(CAST(i.price AS DECIMAL(18,2)))::VARCHAR AS gmv FROM items i JOIN sold s USING (order_id)
      GROUP BY 1 ORDER BY sum(CAST(i.price AS DECIMAL(18,2))) DESC, 1 LIMIT 5`);
    const top = await page('/v1/marts/seller_scorecard?order=-gmv,seller_id&limit=5');
    expect(top.rows.map((r) => [r['seller_id'], cents(r['gmv'])])).toEqual(expected.map((e) => [e.seller_id, cents(e.gmv)]));
    const byRank = await page('/v1/marts/seller_scorecard?limit=5');
    expect(byRank.rows.map((r) => r['gmv_rank'])).toEqual([...byRank.rows.map((r) => r['gmv_rank'] as number)].sort((x, y) => x - y));
    const cohorts = await page('/v1/marts/customer_cohorts?order=-months_since,cohort_month&limit=100000');
    const since = cohorts.rows.map((r) => r['months_since'] as number);
    expect(since).toEqual([...since].sort((x, y) => y - x));
  });

  it('answers CSV with a header, the same rows as JSON, and the refresh in headers', async () => {
    const json = await page('/v1/marts/category_performance?limit=10&order=-gmv');
    const csv = await get('/v1/marts/category_performance?limit=10&order=-gmv&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('x-mart-refresh-sequence')).toBe(String(json.refresh.sequence));
    expect(csv.headers.get('x-total-count')).toBe(String(json.total));
    const records = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual(json.columns.map((c) => c.name));
    expect(records.map((r) => [r['category'], cents(r['gmv']), Number(r['items'])])).toEqual(json.rows.map((r) => [r['category'], cents(r['gmv']), r['items']]));
  });

  it.each([
    ['/v1/marts/monthly_revenue?limit=0', 'limit', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?limit=abc', 'limit', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?limit=100001', 'limit', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?limit=5&limit=6', 'limit', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?offset=-1', 'offset', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?format=xml', 'format', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?order=gmv;DROP', 'order', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?order=nope', 'order', 'MART.UNKNOWN_COLUMN'],
    ['/v1/marts/monthly_revenue?nope=1', 'nope', 'MART.UNKNOWN_COLUMN'],
    ['/v1/marts/monthly_revenue?month=2017-13-45', 'month', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?month.gte=yesterday', 'month.gte', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?orders=abc', 'orders', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?orders=99999999999999999999', 'orders', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?gmv.lt=1e999', 'gmv.lt', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?gmv.gte=1&gmv.gte=2', 'gmv.gte', 'MART.INVALID_QUERY'],
    ['/v1/marts/monthly_revenue?month.between=2017-01-01', 'month.between', 'MART.INVALID_QUERY'],
    [`/v1/marts/monthly_revenue?${encodeURIComponent('month" OR 1=1 --')}=x`, 'month" OR 1=1 --', 'MART.INVALID_QUERY'],
    ['/v1/marts/payment_mix?payment_type.gt=a', 'payment_type.gt', 'MART.INVALID_QUERY'],
  ])('400 naming the parameter: %s', async (path, parameter, code) => {
    const { status, body } = await get(path);
    expect([status, body?.code, body?.details?.parameter]).toEqual([400, code, parameter]);
    expect(body.message).toContain(parameter);
  });

  it('documents the endpoints in OpenAPI', async () => {
    const { status, body } = await get('/docs-json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/marts', '/v1/marts/{name}']));
    const read = body.paths['/v1/marts/{name}'].get;
    expect(read.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['name', 'limit', 'offset', 'order', 'format']));
    expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '503']));
  });

  it('404 for an unknown mart (also for tables of the mart schema that are not marts), 400 for a name of the wrong form', async () => {
    for (const name of ['nope', 'refresh_log']) {
      const { status, body } = await get(`/v1/marts/${encodeURIComponent(name)}`);
      expect([name, status, body.code, body.details.mart]).toEqual([name, 404, 'MART.UNKNOWN_MART', name]);
      expect(body.message).toContain('monthly_revenue');
    }
    for (const name of ['monthly_revenue;drop', '../core', 'x'.repeat(10_000), 'a\u0000b']) {
      const { status, body } = await get(`/v1/marts/${encodeURIComponent(name)}`);
      expect([status, body.code, body.details.parameter]).toEqual([400, 'REQUEST.INVALID', 'name']);
    }
  });

  it('binds filter values: quotes and SQL in a value match nothing and break nothing', async () => {
    const injected = await page(`/v1/marts/delivery_performance?customer_state=${encodeURIComponent("SP' OR '1'='1")}`);
    expect([injected.total, injected.rows]).toEqual([0, []]);
    const still = await page('/v1/marts/delivery_performance?limit=1');
    expect(still.total).toBeGreaterThan(0);
  });

  it('reads stay consistent while the marts are rebuilt over and over', async () => {
    const scheduler = api.app.get<MartRefreshScheduler>(MART_REFRESH);
    let refreshing = true;
    const refreshes = (async () => {
      let n = 0;
      while (refreshing) {
        await scheduler.refreshNow();
        n++;
      }
      return n;
    })();
    const reads = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const seen: Array<[number, number, number]> = [];
        for (let i = 0; i < 15; i++) {
          const [revenue, categories] = [await page('/v1/marts/monthly_revenue?limit=1000'), await page('/v1/marts/category_performance?limit=1000')];
          for (const r of revenue.rows) expect(cents(r['revenue'])).toBe(cents(r['gmv']) + cents(r['freight']));
          seen.push([revenue.refresh.sequence, revenue.rows.reduce((s, r) => s + cents(r['gmv']), 0), categories.rows.reduce((s, r) => s + cents(r['gmv']), 0)]);
        }
        return seen;
      }),
    );
    refreshing = false;
    expect(await refreshes).toBeGreaterThan(1);
    const sequences = reads.flat().map(([s]) => s);
    expect(new Set(sequences).size).toBeGreaterThan(1);
    for (const perClient of reads) {
      expect(perClient.map(([s]) => s)).toEqual([...perClient.map(([s]) => s)].sort((x, y) => x - y)); // never an older refresh after a newer
      for (const [, monthly, category] of perClient) expect(monthly).toBe(category);
    }
  }, 60_000);
});
