import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateDataset } from '@olist/generator';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

interface FactPage { table: string; total: number; rows: Array<Record<string, string> & { lineage: string }> }

describe('lineage: from a mart row to the CSV lines', () => {
  let api: EmbeddedApi;
  let dir: string;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api.url}${path}`, { headers: api.headers });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-lineage-'));
    await generateDataset({ orders: 300, seed: 21, outDir: dir });
    api = await startEmbeddedApi();
    await api.loadAndSettle(dir);
    oracle = await csvOracle(dir);
  }, 120_000);

  afterAll(async () => {
    oracle?.close();
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches, from one row of monthly_revenue, every CSV line of the items counted in it: their prices sum to its GMV', async () => {
    const months = await get<{ rows: Array<{ month: string; orders: number; items: number; gmv: number }> }>('/v1/marts/monthly_revenue?order=-orders&limit=1');
    const row = months.body.rows[0]!;
    const lineage = await get<{ row: { orders: number }; facts: FactPage[] }>(`/v1/audit/lineage/marts/monthly_revenue?month=${row.month}&limit=10000`);
    expect(lineage.status).toBe(200);
    const orders = lineage.body.facts.find((f) => f.table === 'core.fact_orders')!;
    const items = lineage.body.facts.find((f) => f.table === 'core.fact_order_items')!;
    expect(orders.total).toBe(row.orders);
    expect(items.rows).toHaveLength(items.total);
    expect(items.total).toBe(row.items);

    const itemsCsv = (await readFile(join(dir, 'olist_order_items_dataset.csv'), 'utf8')).split(/\r?\n/);
    const header = parse(itemsCsv[0]!)[0] as string[];
    let centavos = 0;
    const reached = new Set<string>();
    for (const item of items.rows) {
      const fact = await get<{ events: Array<{ type: string; source: { file: string; line: number } }> }>(item.lineage);
      const last = fact.body.events.at(-1)!;
      expect(last.source.file).toBe('olist_order_items_dataset.csv');
      const values = parse(itemsCsv[last.source.line - 1]!)[0] as string[];
      const csvRow = Object.fromEntries(header.map((h, i) => [h, values[i]!]));
      expect([csvRow.order_id, csvRow.order_item_id]).toEqual([item.order_id, item.order_item_id]);
      centavos += Math.round(Number(csvRow.price) * 100);
      reached.add(`${csvRow.order_id}/${csvRow.order_item_id}`);
    }
    expect(centavos).toBe(Math.round(row.gmv * 100));

    // Independently, DuckDB over the CSV files: the revenue items of orders purchased in that month.
    const expected = await oracle.all<{ id: string; price: string }>(`
      SELECT i.order_id || '/' || i.order_item_id AS id, i.price FROM items i JOIN orders o USING (order_id)
      WHERE o.order_status NOT IN ('canceled', 'unavailable') AND CAST(date_trunc('month', CAST(o.order_purchase_timestamp AS TIMESTAMP)) AS DATE) = DATE '${row.month}'`);
    expect([...reached].sort()).toEqual(expected.map((e) => e.id).sort());
    const expectedOrders = await oracle.one<{ n: bigint }>(`
      SELECT count(*) AS n FROM orders WHERE order_status NOT IN ('canceled', 'unavailable')
      AND CAST(date_trunc('month', CAST(order_purchase_timestamp AS TIMESTAMP)) AS DATE) = DATE '${row.month}'`);
    expect(orders.total).toBe(Number(expectedOrders.n));
  }, 120_000);

  it('answers bad and unknown keys clearly', async () => {
    expect(await get('/v1/audit/lineage/marts/monthly_revenue?month=1999-01-01')).toMatchObject({ status: 404, body: { code: 'AUDIT.UNKNOWN_FACT_ROW' } });
    expect(await get('/v1/audit/lineage/marts/monthly_revenue?nope=1')).toMatchObject({ status: 400, body: { code: 'AUDIT.INVALID_KEY' } });
    expect(await get('/v1/audit/lineage/marts/monthly_revenue?month=not-a-date')).toMatchObject({ status: 400 });
    expect(await get('/v1/audit/lineage/marts/nope?x=1')).toMatchObject({ status: 404, body: { code: 'MART.UNKNOWN_MART' } });
    expect(await get('/v1/audit/lineage/facts/core.fact_order_items?order_id=x&order_item_id=1')).toMatchObject({ status: 404, body: { code: 'AUDIT.UNKNOWN_FACT_ROW' } });
    expect(await get('/v1/audit/lineage/facts/core.fact_nope?order_id=x')).toMatchObject({ status: 400 });
  });
});

describe('lineage of every mart', () => {
  let api: EmbeddedApi;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-lineage-all-'));
    await generateDataset({ orders: 200, seed: 22, outDir: dir });
    api = await startEmbeddedApi();
    await api.loadAndSettle(dir);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What each mart's first row counts, and the fact table whose lineage rows must number as many. */
  const COUNTED: Record<string, { keys: string[]; column: string; table: string }> = {
    monthly_revenue: { keys: ['month'], column: 'items', table: 'core.fact_order_items' },
    seller_scorecard: { keys: ['seller_id'], column: 'items', table: 'core.fact_order_items' },
    category_performance: { keys: ['category'], column: 'items', table: 'core.fact_order_items' },
    payment_mix: { keys: ['payment_type'], column: 'payments', table: 'core.fact_payments' },
    delivery_performance: { keys: ['month', 'customer_state'], column: 'delivered_orders', table: 'core.fact_deliveries' },
    review_vs_delivery: { keys: ['delay_bucket'], column: 'reviews', table: 'core.fact_reviews' },
    customer_segments: { keys: ['customer_unique_id'], column: 'frequency', table: 'core.fact_orders' },
    customer_cohorts: { keys: ['cohort_month', 'months_since'], column: 'active_customers', table: 'core.fact_orders' },
  };

  it.each(Object.entries(COUNTED))('%s: a row leads to as many fact rows as it counts, each to its events and source lines', async (mart, { keys, column, table }) => {
    const page = (await (await fetch(`${api.url}/v1/marts/${mart}?order=-${column}&limit=1`, { headers: api.headers })).json()) as { rows: Array<Record<string, unknown>> };
    const row = page.rows[0]!;
    const query = new URLSearchParams(Object.fromEntries(keys.map((k) => [k, String(row[k])])));
    const lineage = (await (await fetch(`${api.url}/v1/audit/lineage/marts/${mart}?${query}&limit=10000`, { headers: api.headers })).json()) as { facts: FactPage[] };
    const facts = lineage.facts.find((f) => f.table === table)!;
    if (mart === 'customer_cohorts') {
      // active customers: distinct customers among the orders (one customer may order twice in a month)
      expect(facts.total).toBeGreaterThanOrEqual(Number(row[column]));
    } else {
      expect(facts.total).toBe(Number(row[column]));
    }
    const first = (await (await fetch(`${api.url}${facts.rows[0]!.lineage}`, { headers: api.headers })).json()) as { events: Array<{ source: { file: string; line: number } | null }> };
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.events.every((e) => e.source && e.source.file.endsWith('.csv') && e.source.line > 1)).toBe(true);
  });
});
