import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/** Real Olist rows (../shared/olist-sample, beside the repository); skipped when that directory is absent. */
const SAMPLE = fileURLToPath(new URL('../../../shared/olist-sample', import.meta.url));
const describeWithSample = existsSync(SAMPLE) ? describe : describe.skip;
if (!existsSync(SAMPLE)) console.warn(`skipping the real-sample end-to-end test: ${SAMPLE} not found`);

describeWithSample('end to end: real Olist sample rows', () => {
  let api: EmbeddedApi;
  let summary: LoadSummary;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;
  const file = (name: string) => summary.files.find((f) => f.file === name)!;

  beforeAll(async () => {
    api = await startEmbeddedApi();
    summary = await loadDirectory({ dir: SAMPLE, apiUrl: api.url, apiKey: api.adminKey });
    await api.waitForProjector();
    oracle = await csvOracle(SAMPLE);
  }, 180_000);

  afterAll(async () => {
    oracle?.close();
    await api?.close();
  });

  it('accounts for every row of every file', () => {
    expect(summary.ok).toBe(true);
    for (const f of summary.files) expect([f.file, f.accepted + f.duplicates + f.rejected]).toEqual([f.file, f.rowsRead]);
    expect(file('reviews').rowsRead).toBe(6123); // records, not physical lines: some comments span lines
  });

  it.each([
    ['order_items', 'items'],
    ['payments', 'payments'],
    ['reviews', 'reviews'],
  ])('rejects exactly the %s rows whose order is not in the sample, as "unknown order"', async (name, view) => {
    const expected = await oracle.one<{ known: bigint; orphans: bigint }>(`
      SELECT count(*) FILTER (WHERE order_id IN (SELECT order_id FROM orders)) AS known,
             count(*) FILTER (WHERE order_id NOT IN (SELECT order_id FROM orders)) AS orphans FROM ${view}`);
    const f = file(name);
    expect(f.accepted + f.duplicates).toBe(Number(expected.known));
    expect(f.rejected).toBe(Number(expected.orphans));
    expect(f.rejectionReasons[0]).toMatchObject({ reason: 'unknown order', count: Number(expected.orphans) });
  });

  it('accepts every reference row (customers, sellers, products, categories, geolocation)', () => {
    for (const name of ['customers', 'sellers', 'products', 'categories', 'geolocation']) {
      expect([name, file(name).rejected]).toEqual([name, 0]);
    }
  });

  it('projects the sample orders and their items exactly', async () => {
    const expected = await oracle.one<{ orders: bigint; items: bigint; gmv: string }>(`
      SELECT (SELECT count(*) FROM orders) AS orders,
             (SELECT count(*) FROM items WHERE order_id IN (SELECT order_id FROM orders)) AS items,
             (SELECT sum(price::DECIMAL(18,2))::VARCHAR FROM items WHERE order_id IN (SELECT order_id FROM orders)) AS gmv`);
    const actual = (await (await api.duckdb()).query<{ orders: bigint; items: bigint; gmv: string }>(`
      SELECT (SELECT count(*) FROM core.fact_orders) AS orders, (SELECT count(*) FROM core.fact_order_items) AS items,
             (SELECT sum(price)::VARCHAR FROM core.fact_order_items) AS gmv`))[0];
    expect(actual).toEqual(expected);
  });

  it('restores the leading zero the geolocation copy lost', async () => {
    const zips = await (await api.duckdb()).query<{ bad: bigint }>(
      "SELECT count(*) AS bad FROM core.dim_geography WHERE geography_key <> 0 AND NOT regexp_full_match(zip_prefix, '[0-9]{5}')");
    expect(zips[0]!.bad).toBe(0n);
    expect((await (await api.duckdb()).query("SELECT 1 FROM core.dim_geography WHERE zip_prefix = '01037'")).length).toBe(1);
  });

  it('quarantines every rejected row in Postgres, queryable by run, file and reason', async () => {
    const get = async (path: string) => (await fetch(`${api.url}${path}`, { headers: api.headers })).json() as Promise<Record<string, unknown>>;
    const all = (await get(`/v1/quarantine?runId=${summary.runId}&limit=1`)) as { total: number };
    expect(all.total).toBe(summary.totals.rejected);
    const items = (await get(`/v1/quarantine?runId=${summary.runId}&file=order_items&reason=unknown%20order&limit=2`)) as {
      total: number;
      rows: Array<{ file: string; line: number; reasons: string[]; raw: Record<string, string> }>;
    };
    expect(items.total).toBe(file('order_items').rejected);
    expect(items.rows[0]).toMatchObject({ file: 'order_items', reasons: ['unknown order'], raw: { order_id: expect.any(String), price: expect.any(String) } });

    const run = (await api.waitForRunOutcome(summary.runId)) as unknown as {
      status: string;
      tasks: Array<{ file: string; rows_read: number; rejected: number }>;
      rejections: Array<{ file: string; reason: string; rows: number }>;
    };
    expect(['COMPLETED', 'FAILED']).toContain(run.status);
    expect(run.tasks).toHaveLength(9);
    expect(run.tasks.find((t) => t.file === 'reviews')).toMatchObject({ rows_read: 6123, rejected: file('reviews').rejected });
    expect(run.rejections).toContainEqual({ file: 'payments', reason: 'unknown order', rows: file('payments').rejected });
  });

  it('reports the sample\u2019s quality: each file sampled on its own, most orders name a customer not in the sample', async () => {
    const run = await api.waitForRunOutcome(summary.runId);
    const check = (id: string) => run.quality!.checks.find((c) => c.rule_id === id)!;
    const expected = await oracle.one<{ orders: bigint; unknown_customer: bigint; zero_installments: bigint; payments: bigint }>(`
      SELECT (SELECT count(*) FROM orders) AS orders,
             (SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers)) AS unknown_customer,
             (SELECT count(*) FROM payments WHERE order_id IN (SELECT order_id FROM orders) AND payment_installments = '0') AS zero_installments,
             (SELECT count(*) FROM payments WHERE order_id IN (SELECT order_id FROM orders)) AS payments`);
    expect(check('fact_orders.customer.referential')).toMatchObject({
      rows_checked: Number(expected.orders), rows_failed: Number(expected.unknown_customer), passed: expected.unknown_customer === 0n,
    });
    expect(check('fact_payments.installments.range')).toMatchObject({ rows_checked: Number(expected.payments), rows_failed: Number(expected.zero_installments) });
    expect(run.outcome).not.toBe('SUCCESS');
    expect(run.quality!.checks.filter((c) => !c.passed).every((c) => c.samples.length > 0 || c.rule_id.endsWith('.freshness'))).toBe(true);
  });
});
