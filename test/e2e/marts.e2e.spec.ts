import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_TABLES, type MartRefreshScheduler } from '@olist/analytics';
import type { DuckDbClient } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { loadDirectory } from '@olist/loader';
import { MART_REFRESH } from '@olist/projector';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/**
 * Generated CSV files → loader → HTTP API → event store → projector → star schema → marts, every figure
 * compared with DuckDB SQL straight over the CSV files, written from the definitions (spec §6, issue 4):
 * revenue orders are those whose status is not canceled/unavailable; GMV = item prices, revenue = GMV +
 * freight; month = purchase month; on time = date(delivered) <= date(estimated); customers are
 * customer_unique_id; the as-of date is the latest purchase in the data.
 */
describe('marts end to end: a generated dataset through the HTTP API, checked against the CSV files', () => {
  let api: EmbeddedApi;
  let dataDir: string;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;
  let dw: DuckDbClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-marts-'));
    await generateDataset({ orders: 600, seed: 42, outDir: dataDir });
    api = await startEmbeddedApi();
    const load = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 200 });
    expect(load.totals.rejected).toBe(0);
    // The run's quality report is appended after the load: wait for it, so no event arrives after the last refresh.
    await api.waitForRunOutcome(load.runId);
    await api.waitForProjector();
    await api.app.get<MartRefreshScheduler>(MART_REFRESH).refreshNow();
    oracle = await csvOracle(dataDir);
    // Views the CSV oracle has no view for, and the revenue orders per the definition.
    await oracle.all(`CREATE VIEW translation AS SELECT * FROM read_csv('${join(dataDir, 'product_category_name_translation.csv')}', header = true, all_varchar = true)`);
    await oracle.all(`CREATE VIEW sold AS
      SELECT order_id, customer_id, CAST(order_purchase_timestamp AS TIMESTAMP) AS purchased
      FROM orders WHERE order_status <> 'canceled' AND order_status <> 'unavailable'`);
    dw = await api.duckdb();
  }, 180_000);

  afterAll(async () => {
    dw?.close();
    oracle?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const mart = <T extends object>(sql: string) => dw.query<T>(sql);

  it('builds every mart, logged at the projector checkpoint', async () => {
    const log = await mart<{ marts: string[]; checkpoint: string; current: string }>(
      `SELECT marts, checkpoint, (SELECT checkpoint FROM core.projection_checkpoint) AS current FROM mart.refresh_log ORDER BY refreshed_at DESC LIMIT 1`,
    );
    expect(log[0]).toMatchObject({ marts: [...MART_TABLES] });
    expect(log[0]!.checkpoint).toBe(log[0]!.current);
    for (const table of MART_TABLES) expect(Number(await dw.scalar(`SELECT count(*) FROM ${table}`))).toBeGreaterThan(0);
  });

  it('monthly revenue: orders, GMV, freight, revenue, AOV and month-over-month growth per month', async () => {
    const expected = await oracle.all<{ month: string; orders: bigint; gmv: string; freight: string; revenue: string }>(`
      SELECT strftime(date_trunc('month', s.purchased), '%Y-%m-%d') AS month,
             count(DISTINCT s.order_id) AS orders,
             coalesce(sum(CAST(i.price AS DECIMAL(18,2))), 0)::VARCHAR AS gmv,
             coalesce(sum(CAST(i.freight_value AS DECIMAL(18,2))), 0)::VARCHAR AS freight,
             (coalesce(sum(CAST(i.price AS DECIMAL(18,2))), 0) + coalesce(sum(CAST(i.freight_value AS DECIMAL(18,2))), 0))::VARCHAR AS revenue
      FROM sold s LEFT JOIN items i ON i.order_id = s.order_id
      GROUP BY 1 ORDER BY 1`);
    const actual = await mart<{ month: string; orders: bigint; gmv: string; freight: string; revenue: string; aov: string; mom_growth: number | null }>(
      'SELECT month, orders, gmv::VARCHAR AS gmv, freight::VARCHAR AS freight, revenue::VARCHAR AS revenue, aov::VARCHAR AS aov, mom_growth FROM mart.monthly_revenue ORDER BY month',
    );
    expect(expected.length).toBeGreaterThan(6);
    expect(actual.map(({ aov: _a, mom_growth: _g, ...row }) => row)).toEqual(expected);
    const byMonth = new Map(expected.map((row) => [row.month, Number(row.revenue)]));
    for (const row of actual) {
      expect(Math.abs(Number(row.aov) - Number(row.revenue) / Number(row.orders))).toBeLessThanOrEqual(0.005 + 1e-9);
      const d = new Date(`${row.month}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - 1);
      const previous = byMonth.get(d.toISOString().slice(0, 10));
      if (previous === undefined || previous === 0) expect(row.mom_growth).toBeNull();
      else expect(row.mom_growth).toBeCloseTo(((Number(row.revenue) - previous) / previous) * 100, 6);
    }
    expect(actual[0]!.mom_growth).toBeNull();
  });

  it('delivery performance: delivered orders, average days and on-time % by purchase month x customer state', async () => {
    const expected = await oracle.all<Record<string, unknown>>(`
      WITH delivered AS (
        SELECT strftime(date_trunc('month', CAST(o.order_purchase_timestamp AS TIMESTAMP)), '%Y-%m-%d') AS month, c.customer_state AS state,
               CAST(o.order_purchase_timestamp AS DATE) AS bought, CAST(o.order_delivered_customer_date AS DATE) AS arrived,
               CAST(o.order_estimated_delivery_date AS DATE) AS promised
        FROM orders o JOIN customers c ON c.customer_id = o.customer_id
        WHERE o.order_delivered_customer_date IS NOT NULL AND o.order_delivered_customer_date <> '')
      SELECT month, state, count(*) AS delivered, avg(arrived - bought) AS days,
             100.0 * sum(CASE WHEN arrived <= promised THEN 1 ELSE 0 END) / count(promised) AS on_time,
             avg(CASE WHEN arrived > promised THEN arrived - promised END) AS late_days
      FROM delivered GROUP BY month, state ORDER BY month, state`);
    const actual = await mart<Record<string, unknown>>(`SELECT month, customer_state AS state, delivered_orders AS delivered, avg_delivery_days AS days,
                                      on_time_pct AS on_time, avg_late_days AS late_days
                               FROM mart.delivery_performance ORDER BY month, state`);
    expect(expected.length).toBeGreaterThan(20);
    expect(actual.map((r) => [r['month'], r['state'], r['delivered']])).toEqual(expected.map((r) => [r['month'], r['state'], r['delivered']]));
    actual.forEach((row, i) => {
      for (const column of ['days', 'on_time', 'late_days']) {
        if (expected[i]![column] === null) expect(row[column]).toBeNull();
        else expect(row[column]).toBeCloseTo(expected[i]![column] as number, 9);
      }
    });
    // And on-time % by state over all months, from the mart's rows.
    const byState = await oracle.all<{ state: string; pct: number }>(`
      SELECT c.customer_state AS state,
             100.0 * count(*) FILTER (WHERE CAST(o.order_delivered_customer_date AS DATE) <= CAST(o.order_estimated_delivery_date AS DATE)) / count(*) AS pct
      FROM orders o JOIN customers c USING (customer_id) WHERE o.order_delivered_customer_date <> '' GROUP BY 1 ORDER BY 1`);
    const fromMart = await mart<{ state: string; pct: number }>(`
      SELECT customer_state AS state, sum(on_time_pct * delivered_orders) / sum(delivered_orders) AS pct
      FROM mart.delivery_performance GROUP BY 1 ORDER BY 1`);
    expect(fromMart.map((r) => r.state)).toEqual(byState.map((r) => r.state));
    fromMart.forEach((r, i) => expect(r.pct).toBeCloseTo(byState[i]!.pct, 9));
  });

  it('customer cohorts: retention by first-order month and months since, per customer_unique_id', async () => {
    const expected = await oracle.all<{ cohort: string; since: number; active: bigint; size: bigint; retention: number }>(`
      WITH activity AS (
        SELECT DISTINCT c.customer_unique_id AS person, date_trunc('month', s.purchased) AS m
        FROM sold s JOIN customers c ON c.customer_id = s.customer_id),
      firsts AS (SELECT person, min(m) AS cohort FROM activity GROUP BY person)
      SELECT strftime(f.cohort, '%Y-%m-%d') AS cohort,
             CAST((year(a.m) - year(f.cohort)) * 12 + month(a.m) - month(f.cohort) AS INTEGER) AS since,
             count(*) AS active,
             (SELECT count(*) FROM firsts g WHERE g.cohort = f.cohort) AS size,
             count(*) / (SELECT count(*) FROM firsts g WHERE g.cohort = f.cohort) AS retention
      FROM activity a JOIN firsts f USING (person)
      GROUP BY f.cohort, since ORDER BY cohort, since`);
    const actual = await mart<{ cohort: string; since: number; active: bigint; size: bigint; retention: number }>(
      'SELECT cohort_month AS cohort, months_since AS since, active_customers AS active, cohort_size AS size, retention FROM mart.customer_cohorts ORDER BY 1, 2',
    );
    expect(actual.map(({ retention: _, ...r }) => r)).toEqual(expected.map(({ retention: _, ...r }) => r));
    actual.forEach((r, i) => expect(r.retention).toBeCloseTo(expected[i]!.retention, 12));
    expect(actual.filter((r) => r.since === 0).every((r) => r.retention === 1)).toBe(true);
  });

  it('customer segments: counts per segment under the seed rule against the as-of date', async () => {
    const expected = await oracle.all<{ segment: string; customers: bigint }>(`
      WITH per_order AS (
        SELECT s.order_id, c.customer_unique_id AS person, s.purchased,
               (SELECT coalesce(sum(CAST(price AS DECIMAL(18,2)) + CAST(freight_value AS DECIMAL(18,2))), 0) FROM items i WHERE i.order_id = s.order_id) AS spent
        FROM sold s JOIN customers c USING (customer_id)),
      people AS (
        SELECT person, count(*) AS n, sum(spent) AS spent,
               max(CAST(purchased AS DATE)) > (SELECT max(CAST(order_purchase_timestamp AS TIMESTAMP))::DATE FROM orders) - INTERVAL 181 DAY AS recent
        FROM per_order GROUP BY person)
      SELECT CASE WHEN NOT recent THEN 'CHURNED' WHEN n > 5 AND spent > 1000 THEN 'VIP' WHEN n > 5 THEN 'LOYAL' WHEN n = 1 THEN 'ONE_TIME' ELSE 'REGULAR' END AS segment,
             count(*) AS customers
      FROM people GROUP BY 1 ORDER BY 1`);
    const actual = await mart('SELECT segment, count(*) AS customers FROM mart.customer_segments GROUP BY 1 ORDER BY 1');
    expect(actual).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const scores = await mart<{ lo: number; hi: number }>(
      'SELECT least(min(r_score), min(f_score), min(m_score)) AS lo, greatest(max(r_score), max(f_score), max(m_score)) AS hi FROM mart.customer_segments',
    );
    expect(scores[0]).toEqual({ lo: 1, hi: 5 });
  });

  it('seller scorecard: GMV and rank of every seller', async () => {
    const expected = await oracle.all(`
      SELECT i.seller_id, sum(CAST(i.price AS DECIMAL(18,2)))::VARCHAR AS gmv, count(DISTINCT i.order_id) AS orders, count(*) AS items,
             CAST(rank() OVER (ORDER BY sum(CAST(i.price AS DECIMAL(18,2))) DESC) AS INTEGER) AS gmv_rank
      FROM items i WHERE i.order_id IN (SELECT order_id FROM sold)
      GROUP BY i.seller_id ORDER BY gmv_rank, i.seller_id`);
    const actual = await mart('SELECT seller_id, gmv::VARCHAR AS gmv, orders, items, gmv_rank FROM mart.seller_scorecard ORDER BY gmv_rank, seller_id');
    expect(expected.length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });

  it('seller scorecard: on-time % and average review of every seller', async () => {
    const expected = await oracle.all<{ seller_id: string; on_time: number | null; review: number | null }>(`
      WITH seller_orders AS (SELECT DISTINCT seller_id, order_id FROM items WHERE order_id IN (SELECT order_id FROM sold)),
      scored AS (SELECT DISTINCT review_id, order_id, CAST(review_score AS INTEGER) AS score FROM reviews)
      SELECT so.seller_id,
             (SELECT 100.0 * count(*) FILTER (WHERE CAST(o.order_delivered_customer_date AS DATE) <= CAST(o.order_estimated_delivery_date AS DATE)) / nullif(count(*), 0)
              FROM seller_orders x JOIN orders o USING (order_id) WHERE x.seller_id = so.seller_id AND o.order_delivered_customer_date <> '') AS on_time,
             (SELECT avg(r.score) FROM seller_orders x JOIN scored r USING (order_id) WHERE x.seller_id = so.seller_id) AS review
      FROM (SELECT DISTINCT seller_id FROM seller_orders) so ORDER BY 1`);
    const actual = await mart<{ seller_id: string; on_time: number | null; review: number | null }>(
      'SELECT seller_id, on_time_pct AS on_time, avg_review AS review FROM mart.seller_scorecard ORDER BY 1',
    );
    expect(actual.map((r) => r.seller_id)).toEqual(expected.map((r) => r.seller_id));
    actual.forEach((r, i) => {
      for (const column of ['on_time', 'review'] as const) {
        if (expected[i]![column] === null) expect(r[column]).toBeNull();
        else expect(r[column]).toBeCloseTo(expected[i]![column]!, 9);
      }
    });
  });

  it('review vs delivery: reviews and average score per delay bucket', async () => {
    const expected = await oracle.all<{ bucket: number; reviews: bigint; score: number | null }>(`
      WITH delays AS (
        SELECT order_id, CAST(order_delivered_customer_date AS DATE) - CAST(order_estimated_delivery_date AS DATE) AS delay
        FROM orders WHERE order_delivered_customer_date <> '' AND order_estimated_delivery_date <> ''),
      scored AS (SELECT DISTINCT review_id, order_id, CAST(review_score AS INTEGER) AS score FROM reviews)
      SELECT CASE WHEN delay < -14 THEN 1 WHEN delay < -7 THEN 2 WHEN delay < 0 THEN 3 WHEN delay = 0 THEN 4
                  WHEN delay <= 3 THEN 5 WHEN delay <= 7 THEN 6 WHEN delay <= 14 THEN 7 ELSE 8 END AS bucket,
             count(*) AS reviews, avg(score) AS score
      FROM scored JOIN delays USING (order_id) GROUP BY 1 ORDER BY 1`);
    const actual = await mart<{ bucket: number; reviews: bigint; score: number | null }>(
      'SELECT bucket_order AS bucket, reviews, avg_score AS score FROM mart.review_vs_delivery WHERE reviews > 0 ORDER BY 1',
    );
    expect(actual.map(({ score: _, ...r }) => r)).toEqual(expected.map(({ score: _, ...r }) => r));
    actual.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score!, 9));
    expect(await dw.scalar('SELECT count(*) FROM mart.review_vs_delivery')).toBe(8n);
  });

  it('category performance: GMV and items per English category name', async () => {
    const expected = await oracle.all(`
      SELECT coalesce(t.product_category_name_english, 'unknown') AS category, sum(CAST(i.price AS DECIMAL(18,2)))::VARCHAR AS gmv, count(*) AS items
      FROM items i JOIN sold s ON s.order_id = i.order_id
      JOIN products p ON p.product_id = i.product_id
      LEFT JOIN translation t ON t.product_category_name = p.product_category_name
      GROUP BY 1 ORDER BY 1`);
    const actual = await mart('SELECT category, gmv::VARCHAR AS gmv, items FROM mart.category_performance ORDER BY 1');
    expect(expected.length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });

  it('payment mix: payments, value and value share per payment type', async () => {
    const expected = await oracle.all<{ payment_type: string; payments: bigint; value: string; share: number }>(`
      SELECT payment_type, count(*) AS payments, sum(CAST(payment_value AS DECIMAL(18,2)))::VARCHAR AS value,
             CAST(sum(CAST(payment_value AS DECIMAL(18,2))) AS DOUBLE)
               / (SELECT CAST(sum(CAST(payment_value AS DECIMAL(18,2))) AS DOUBLE) FROM payments WHERE order_id IN (SELECT order_id FROM sold)) AS share
      FROM payments WHERE order_id IN (SELECT order_id FROM sold) GROUP BY 1 ORDER BY 1`);
    const actual = await mart<{ payment_type: string; payments: bigint; value: string; share: number }>(
      'SELECT payment_type, payments, value::VARCHAR AS value, value_share AS share FROM mart.payment_mix ORDER BY 1',
    );
    expect(actual.map(({ share: _, ...r }) => r)).toEqual(expected.map(({ share: _, ...r }) => r));
    actual.forEach((r, i) => expect(r.share).toBeCloseTo(expected[i]!.share, 12));
    expect(actual.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 12);
  });
});
