import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findUpwards } from '@olist/duckdb';
import { MART_TABLES, MartRefreshScheduler, MartRefresher } from '../src/index.js';
import { Harness } from './support/harness.js';

/** Builds a small star schema by hand (straight SQL into the `core` tables the projection created). */
class Star {
  private readonly statements: string[] = [];

  customer(key: number, customerId: string, uniqueId: string, state: string): this {
    this.statements.push(`INSERT INTO core.dim_customer VALUES (${key}, '${customerId}', '${uniqueId}', '01046', 'city', '${state}', 0)`);
    return this;
  }
  seller(key: number, sellerId: string, state: string): this {
    this.statements.push(`INSERT INTO core.dim_seller VALUES (${key}, '${sellerId}', '13023', 'city', '${state}', 0)`);
    return this;
  }
  category(key: number, pt: string, en: string): this {
    this.statements.push(`INSERT INTO core.dim_category VALUES (${key}, '${pt}', '${en}')`);
    return this;
  }
  product(key: number, productId: string, categoryKey: number): this {
    this.statements.push(`INSERT INTO core.dim_product (product_key, product_id, category_key) VALUES (${key}, '${productId}', ${categoryKey})`);
    return this;
  }

  order(o: {
    id: string;
    customer: [key: number, customerId: string];
    at: string;
    status?: string;
    items?: Array<{ price: string; freight: string; product?: [number, string]; seller?: [number, string] }>;
    carrier?: string;
    delivered?: string;
    estimated?: string;
    review?: number;
    payments?: Array<[type: string, installments: number, value: string]>;
  }): this {
    const ts = (v: string | undefined) => (v ? `TIMESTAMP '${v}'` : 'NULL');
    const [ck, cid] = o.customer;
    const dk = `core.date_key(TIMESTAMP '${o.at}')`;
    const items = o.items ?? [];
    const payments = o.payments ?? [];
    const sum = (values: string[]) => (values.length ? values.join(' + ') : '0');
    this.statements.push(`INSERT INTO core.fact_orders VALUES ('${o.id}', '${cid}', ${ck}, ${dk}, '${o.status ?? 'delivered'}', TIMESTAMP '${o.at}', NULL,
      ${ts(o.carrier)}, ${ts(o.delivered)}, ${ts(o.estimated)}, ${items.length}, ${sum(items.map((i) => i.price))}, ${sum(items.map((i) => i.freight))},
      ${sum(payments.map((p) => p[2]))})`);
    items.forEach((item, n) => {
      const [pk, pid] = item.product ?? [0, 'p-none'];
      const [sk, sid] = item.seller ?? [0, 's-none'];
      this.statements.push(`INSERT INTO core.fact_order_items VALUES ('${o.id}', ${n + 1}, '${pid}', '${sid}', ${pk}, ${sk}, ${ck}, ${dk}, NULL, ${item.price}, ${item.freight})`);
    });
    payments.forEach(([type, installments, value], n) => {
      this.statements.push(`INSERT INTO core.fact_payments VALUES ('${o.id}', ${n + 1}, ${ck}, ${dk}, '${type}', ${installments}, ${value})`);
    });
    if (o.carrier || o.delivered) {
      this.statements.push(`INSERT INTO core.fact_deliveries
        SELECT order_id, customer_key, purchase_date_key, delivered_carrier_at, delivered_customer_at, estimated_delivery_at,
               date_diff('day', CAST(purchased_at AS DATE), CAST(delivered_customer_at AS DATE)),
               CAST(delivered_customer_at AS DATE) <= CAST(estimated_delivery_at AS DATE),
               date_diff('day', CAST(estimated_delivery_at AS DATE), CAST(delivered_customer_at AS DATE))
        FROM core.fact_orders WHERE order_id = '${o.id}'`);
    }
    if (o.review !== undefined) {
      this.statements.push(`INSERT INTO core.fact_reviews VALUES ('r-${o.id}', '${o.id}', ${ck}, ${o.review}, false, ${dk}, TIMESTAMP '${o.at}', NULL)`);
    }
    return this;
  }

  sql(): string {
    return this.statements.map((s) => `${s};`).join('\n');
  }
}

const C1: [number, string] = [1, 'c1'];
const C2: [number, string] = [2, 'c2'];
const C3: [number, string] = [3, 'c3'];
const P1: [number, string] = [101, 'p1'];
const P2: [number, string] = [102, 'p2'];
const P3: [number, string] = [103, 'p3'];
const S1: [number, string] = [201, 's1'];
const S2: [number, string] = [202, 's2'];

/**
 * Six orders over four months: o2 canceled (its 1,050 BRL must not count anywhere), o4 unavailable
 * without items, o5 shipped not delivered, o3 delivered 4 days late, o6 on the estimated day, a gap in March.
 */
const marketplace = (): Star =>
  new Star()
    .customer(1, 'c1', 'u1', 'SP')
    .customer(2, 'c2', 'u2', 'RJ')
    .customer(3, 'c3', 'u3', 'SP')
    .seller(201, 's1', 'SP')
    .seller(202, 's2', 'MG')
    .category(10, 'perfumaria', 'perfumery')
    .category(11, 'bebes', 'baby')
    .product(101, 'p1', 10)
    .product(102, 'p2', 11)
    .product(103, 'p3', 0)
    .order({
      id: 'o1', customer: C1, at: '2018-01-05 10:00:00', items: [{ price: '100.00', freight: '10.00', product: P1, seller: S1 }],
      carrier: '2018-01-07 09:00:00', delivered: '2018-01-12 23:00:00', estimated: '2018-01-20 00:00:00', review: 5,
      payments: [['credit_card', 3, '110.00']],
    })
    .order({
      id: 'o2', customer: C2, at: '2018-01-20 12:00:00', status: 'canceled', items: [{ price: '1000.00', freight: '50.00', product: P2, seller: S2 }],
      payments: [['boleto', 1, '1050.00']],
    })
    .order({
      id: 'o3', customer: C1, at: '2018-02-10 08:00:00',
      items: [{ price: '30.00', freight: '10.00', product: P1, seller: S1 }, { price: '70.00', freight: '10.00', product: P2, seller: S2 }],
      carrier: '2018-02-12 10:00:00', delivered: '2018-03-01 15:00:00', estimated: '2018-02-25 00:00:00', review: 2,
      payments: [['credit_card', 2, '100.00'], ['voucher', 1, '20.00']],
    })
    .order({ id: 'o4', customer: C3, at: '2018-02-15 08:00:00', status: 'unavailable' })
    .order({
      id: 'o5', customer: C3, at: '2018-04-02 08:00:00', status: 'shipped', items: [{ price: '60.00', freight: '6.00', product: P3, seller: S2 }],
      carrier: '2018-04-06 08:00:00', estimated: '2018-04-20 00:00:00', payments: [['boleto', 1, '66.00']],
    })
    .order({
      id: 'o6', customer: C2, at: '2018-04-28 20:00:00', items: [{ price: '40.00', freight: '5.00', product: P2, seller: S1 }],
      carrier: '2018-04-30 08:00:00', delivered: '2018-05-10 18:00:00', estimated: '2018-05-10 00:00:00', review: 4,
      payments: [['credit_card', 1, '45.00']],
    });

describe('marts over a hand-built star schema', () => {
  let h: Harness;
  const refresher = new MartRefresher();

  beforeAll(async () => {
    h = await Harness.create();
    await h.client.run(marketplace().sql());
    await refresher.refresh(h.client);
  });
  afterAll(() => h.close());

  it('monthly_revenue: canceled/unavailable orders excluded, AOV = revenue / orders, mom_growth NULL first and after a gap', async () => {
    const rows = await h.rows('SELECT month, orders, items, gmv, freight, revenue, aov, mom_growth FROM mart.monthly_revenue ORDER BY month');
    expect(rows).toEqual([
      { month: '2018-01-01', orders: 1n, items: 1n, gmv: '100.00', freight: '10.00', revenue: '110.00', aov: '110.00', mom_growth: null },
      { month: '2018-02-01', orders: 1n, items: 2n, gmv: '100.00', freight: '20.00', revenue: '120.00', aov: '120.00', mom_growth: expect.any(Number) },
      { month: '2018-04-01', orders: 2n, items: 2n, gmv: '100.00', freight: '11.00', revenue: '111.00', aov: '55.50', mom_growth: null },
    ]);
    expect(rows[1]!['mom_growth']).toBeCloseTo(((120 - 110) / 110) * 100, 10);
  });

  it('customer_cohorts: by customer_unique_id, months_since 0 is 100%', async () => {
    expect(await h.rows('SELECT cohort_month, months_since, active_customers, cohort_size, retention, retention_pct FROM mart.customer_cohorts')).toEqual([
      { cohort_month: '2018-01-01', months_since: 0, active_customers: 1n, cohort_size: 1n, retention: 1, retention_pct: 100 },
      { cohort_month: '2018-01-01', months_since: 1, active_customers: 1n, cohort_size: 1n, retention: 1, retention_pct: 100 },
      { cohort_month: '2018-04-01', months_since: 0, active_customers: 2n, cohort_size: 2n, retention: 1, retention_pct: 100 },
    ]);
  });

  it('customer_segments: as-of is the latest purchase, canceled orders neither counted nor spent', async () => {
    expect(await h.rows('SELECT customer_unique_id, as_of_date, recency_days, frequency, monetary, segment FROM mart.customer_segments')).toEqual([
      { customer_unique_id: 'u1', as_of_date: '2018-04-28', recency_days: 77, frequency: 2n, monetary: '230.00', segment: 'REGULAR' },
      { customer_unique_id: 'u2', as_of_date: '2018-04-28', recency_days: 0, frequency: 1n, monetary: '45.00', segment: 'ONE_TIME' },
      { customer_unique_id: 'u3', as_of_date: '2018-04-28', recency_days: 26, frequency: 1n, monetary: '66.00', segment: 'ONE_TIME' },
    ]);
  });

  it('seller_scorecard: GMV, orders, on-time %, average review, days to carrier, rank', async () => {
    const rows = await h.rows(
      'SELECT seller_id, seller_state, gmv, orders, items, delivered_orders, on_time_pct, reviews, avg_review, avg_days_to_carrier, gmv_rank FROM mart.seller_scorecard',
    );
    expect(rows).toEqual([
      { seller_id: 's1', seller_state: 'SP', gmv: '170.00', orders: 3n, items: 3n, delivered_orders: 3n, on_time_pct: expect.any(Number), reviews: 3n, avg_review: expect.any(Number), avg_days_to_carrier: 2, gmv_rank: 1 },
      { seller_id: 's2', seller_state: 'MG', gmv: '130.00', orders: 2n, items: 2n, delivered_orders: 1n, on_time_pct: 0, reviews: 1n, avg_review: 2, avg_days_to_carrier: 3, gmv_rank: 2 },
    ]);
    expect(rows[0]!['on_time_pct']).toBeCloseTo(200 / 3, 10);
    expect(rows[0]!['avg_review']).toBeCloseTo(11 / 3, 10);
  });

  it('delivery_performance: purchase month x customer state, whole days, late ones only in avg_late_days', async () => {
    expect(await h.rows('SELECT month, customer_state, delivered_orders, avg_delivery_days, on_time_pct, late_orders, avg_late_days FROM mart.delivery_performance')).toEqual([
      { month: '2018-01-01', customer_state: 'SP', delivered_orders: 1n, avg_delivery_days: 7, on_time_pct: 100, late_orders: 0n, avg_late_days: null },
      { month: '2018-02-01', customer_state: 'SP', delivered_orders: 1n, avg_delivery_days: 19, on_time_pct: 0, late_orders: 1n, avg_late_days: 4 },
      { month: '2018-04-01', customer_state: 'RJ', delivered_orders: 1n, avg_delivery_days: 12, on_time_pct: 100, late_orders: 0n, avg_late_days: null },
    ]);
  });

  it('category_performance: English names, unknown category, canceled items excluded', async () => {
    expect(await h.rows('SELECT category, gmv, items, orders, avg_price, reviews, avg_review, gmv_rank FROM mart.category_performance')).toEqual([
      { category: 'perfumery', gmv: '130.00', items: 2n, orders: 2n, avg_price: '65.00', reviews: 2n, avg_review: 3.5, gmv_rank: 1 },
      { category: 'baby', gmv: '110.00', items: 2n, orders: 2n, avg_price: '55.00', reviews: 2n, avg_review: 3, gmv_rank: 2 },
      { category: 'unknown', gmv: '60.00', items: 1n, orders: 1n, avg_price: '60.00', reviews: 0n, avg_review: null, gmv_rank: 3 },
    ]);
  });

  it('review_vs_delivery: every bucket, scores by delay (delivered date - estimated date)', async () => {
    expect(await h.rows('SELECT delay_bucket, reviews, avg_score FROM mart.review_vs_delivery ORDER BY bucket_order')).toEqual([
      { delay_bucket: 'early 15+ days', reviews: 0n, avg_score: null },
      { delay_bucket: 'early 8-14 days', reviews: 1n, avg_score: 5 },
      { delay_bucket: 'early 1-7 days', reviews: 0n, avg_score: null },
      { delay_bucket: 'on the estimated day', reviews: 1n, avg_score: 4 },
      { delay_bucket: 'late 1-3 days', reviews: 0n, avg_score: null },
      { delay_bucket: 'late 4-7 days', reviews: 1n, avg_score: 2 },
      { delay_bucket: 'late 8-14 days', reviews: 0n, avg_score: null },
      { delay_bucket: 'late 15+ days', reviews: 0n, avg_score: null },
    ]);
  });

  it('payment_mix: payments of revenue orders, value shares summing to 1', async () => {
    const rows = await h.rows<{ payment_type: string; payments: bigint; value: string; value_share: number; avg_installments: number }>(
      'SELECT payment_type, payments, value, value_share, avg_installments FROM mart.payment_mix',
    );
    expect(rows.map(({ value_share: _, ...r }) => r)).toEqual([
      { payment_type: 'credit_card', payments: 3n, value: '255.00', avg_installments: 2 },
      { payment_type: 'boleto', payments: 1n, value: '66.00', avg_installments: 1 },
      { payment_type: 'voucher', payments: 1n, value: '20.00', avg_installments: 1 },
    ]);
    expect(rows.map((r) => r.value_share)).toEqual([255 / 341, 66 / 341, 20 / 341].map((v) => expect.closeTo(v, 12)));
  });

  it('states units in the column comments, money as DECIMAL(18,2), month as DATE', async () => {
    const columns = await h.rows<{ table_name: string; column_name: string; data_type: string; comment: string | null }>(
      "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'mart' AND table_name <> 'refresh_log'",
    );
    const col = (table: string, column: string) => columns.find((c) => c.table_name === table && c.column_name === column);
    for (const [table, column] of [['monthly_revenue', 'gmv'], ['monthly_revenue', 'revenue'], ['monthly_revenue', 'aov'], ['seller_scorecard', 'gmv'], ['category_performance', 'avg_price'], ['payment_mix', 'value'], ['customer_segments', 'monetary']] as const) {
      expect(`${table}.${column} ${col(table, column)?.data_type}`).toBe(`${table}.${column} DECIMAL(18,2)`);
      expect(col(table, column)?.comment).toMatch(/BRL/);
    }
    for (const [table, column] of [['monthly_revenue', 'month'], ['customer_cohorts', 'cohort_month'], ['delivery_performance', 'month']] as const) {
      expect(col(table, column)?.data_type).toBe('DATE');
    }
    for (const [table, column] of [['seller_scorecard', 'on_time_pct'], ['delivery_performance', 'on_time_pct'], ['monthly_revenue', 'mom_growth']] as const) {
      expect(col(table, column)?.comment).toMatch(/[Pp]ercent/);
    }
    for (const [table, column] of [['customer_cohorts', 'retention'], ['payment_mix', 'value_share']] as const) {
      expect(col(table, column)?.comment).toMatch(/Share 0-1/);
    }
  });

  it('logs each refresh with the checkpoint and the definitions checksum', async () => {
    const log = await h.rows('SELECT projection, checkpoint, marts, sql_checksum FROM mart.refresh_log');
    expect(log).toEqual([{ projection: 'core_star_schema', checkpoint: null, marts: [...MART_TABLES], sql_checksum: refresher.checksum }]);
  });
});

describe('customer_segments: the seed rule in order, RFM quintiles', () => {
  let h: Harness;

  beforeAll(async () => {
    const star = new Star();
    let n = 0;
    const customer = (uniqueId: string, orders: Array<[at: string, price: string]>, status = 'delivered') => {
      const key = ++n;
      star.customer(key, `c-${uniqueId}`, uniqueId, 'SP');
      orders.forEach(([at, price], i) => star.order({ id: `${uniqueId}-${i}`, customer: [key, `c-${uniqueId}`], at, status, items: [{ price, freight: '0.00' }] }));
    };
    const times = (count: number, at: string, price: string): Array<[string, string]> => Array.from({ length: count }, () => [at, price]);
    // The as-of date: 2018-08-31 (uO's order, the latest purchase).
    customer('uO', [['2018-08-31 10:00:00', '50.00']]);
    customer('uV', times(6, '2018-08-01 10:00:00', '200.00')); // 6 orders, 1,200 BRL: VIP
    customer('uL', times(6, '2018-08-02 10:00:00', '10.00')); // 6 orders, 60 BRL: LOYAL
    customer('uB', times(6, '2018-08-03 10:00:00', '166.67').slice(0, 5).concat([['2018-08-03 10:00:00', '166.65']])); // exactly 1,000.00 BRL: LOYAL, not VIP
    customer('uC', times(7, '2018-01-01 10:00:00', '500.00')); // would be VIP, but no order in the last 180 days: CHURNED
    customer('uE', times(5, '2018-08-04 10:00:00', '1000.00')); // 5 orders: not > 5, REGULAR
    customer('uR', [['2018-05-01 10:00:00', '20.00'], ['2018-07-01 10:00:00', '30.00']]); // REGULAR
    customer('uX', [['2018-03-04 23:59:00', '30.00']]); // 180 days before the as-of date: still ONE_TIME
    customer('uY', [['2018-03-03 00:00:00', '30.00']]); // 181 days: CHURNED
    customer('uZ', [['2018-08-20 10:00:00', '900.00']], 'canceled'); // canceled only: no segment
    h = await Harness.create();
    await h.client.run(star.sql());
    await new MartRefresher().refresh(h.client);
  });
  afterAll(() => h.close());

  it('assigns CHURNED, VIP, LOYAL, ONE_TIME, REGULAR in that order of precedence', async () => {
    expect(await h.rows('SELECT customer_unique_id, recency_days, frequency, monetary, segment FROM mart.customer_segments')).toEqual([
      { customer_unique_id: 'uB', recency_days: 28, frequency: 6n, monetary: '1000.00', segment: 'LOYAL' },
      { customer_unique_id: 'uC', recency_days: 242, frequency: 7n, monetary: '3500.00', segment: 'CHURNED' },
      { customer_unique_id: 'uE', recency_days: 27, frequency: 5n, monetary: '5000.00', segment: 'REGULAR' },
      { customer_unique_id: 'uL', recency_days: 29, frequency: 6n, monetary: '60.00', segment: 'LOYAL' },
      { customer_unique_id: 'uO', recency_days: 0, frequency: 1n, monetary: '50.00', segment: 'ONE_TIME' },
      { customer_unique_id: 'uR', recency_days: 61, frequency: 2n, monetary: '50.00', segment: 'REGULAR' },
      { customer_unique_id: 'uV', recency_days: 30, frequency: 6n, monetary: '1200.00', segment: 'VIP' },
      { customer_unique_id: 'uX', recency_days: 180, frequency: 1n, monetary: '30.00', segment: 'ONE_TIME' },
      { customer_unique_id: 'uY', recency_days: 181, frequency: 1n, monetary: '30.00', segment: 'CHURNED' },
    ]);
  });

  it('scores quintiles 1-5 with ntile(5), 5 = most recent / most frequent / highest spend (ties by id)', async () => {
    const rows = await h.rows<{ customer_unique_id: string; r_score: number; f_score: number; m_score: number }>(
      'SELECT customer_unique_id, r_score, f_score, m_score FROM mart.customer_segments',
    );
    const score = Object.fromEntries(rows.map((r) => [r.customer_unique_id, [r.r_score, r.f_score, r.m_score]]));
    // 9 customers: ntile(5) makes groups of 2, 2, 2, 2, 1 (ascending order of "goodness", ties by id).
    // recency DESC: [uC 242, uY 181] [uX 180, uR 61] [uV 30, uL 29] [uB 28, uE 27] [uO 0]
    // frequency:    [uO 1, uX 1] [uY 1, uR 2] [uE 5, uB 6] [uL 6, uV 6] [uC 7]
    // monetary:     [uX 30, uY 30] [uO 50, uR 50] [uL 60, uB 1000] [uV 1200, uC 3500] [uE 5000]
    expect(score).toEqual({
      uC: [1, 5, 4],
      uY: [1, 2, 1],
      uX: [2, 1, 1],
      uR: [2, 2, 2],
      uV: [3, 4, 4],
      uL: [3, 4, 3],
      uB: [4, 3, 3],
      uE: [4, 3, 5],
      uO: [5, 1, 2],
    });
  });
});

describe('MartRefresher: readers see the old marts or the new ones, never a mix', () => {
  let h: Harness;
  const refresher = new MartRefresher();
  const snapshot = `SELECT (SELECT count(*) FROM mart.monthly_revenue) AS months, (SELECT sum(value)::VARCHAR FROM mart.payment_mix) AS paid,
                            (SELECT count(*) FROM mart.refresh_log) AS refreshes`;
  const june = (id: string) =>
    new Star().order({ id, customer: C1, at: '2018-06-01 10:00:00', items: [{ price: '10.00', freight: '1.00', product: P1, seller: S1 }], payments: [['voucher', 1, '11.00']] });

  beforeEach(async () => {
    h = await Harness.create();
    await h.client.run(marketplace().sql());
    await refresher.refresh(h.client);
  });
  afterEach(() => h.close());

  it('a reader transaction opened before a refresh keeps seeing every old mart; the next one sees every new mart', async () => {
    const reader = await h.db.connect();
    try {
      await reader.run('BEGIN TRANSACTION');
      expect(await reader.queryOne(snapshot)).toEqual({ months: 3n, paid: '341.00', refreshes: 1n });
      await h.client.run(june('o7').sql());
      await refresher.refresh(h.client);
      expect(await reader.queryOne(snapshot)).toEqual({ months: 3n, paid: '341.00', refreshes: 1n });
      await reader.run('COMMIT');
      expect(await reader.queryOne(snapshot)).toEqual({ months: 4n, paid: '352.00', refreshes: 2n });
    } finally {
      reader.close();
    }
  });

  it('readers polling during refreshes on another connection only ever see complete, consistent states', async () => {
    const reader = await h.db.connect();
    const seen = new Set<string>();
    try {
      for (let round = 0; round < 5; round++) {
        await h.client.run(june(`o-june-${round}`).sql());
        let done = false;
        const refreshing = refresher.refresh(h.client).finally(() => {
          done = true;
        });
        while (!done) seen.add(JSON.stringify(await reader.queryOne(snapshot), (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
        await refreshing;
      }
    } finally {
      reader.close();
    }
    // Refresh k (k = 1..6 counting the first) shows 3 months (+ June from the second on) and 341 + 11 per June order.
    const consistent = new Set(
      Array.from({ length: 6 }, (_, k) => JSON.stringify({ months: k === 0 ? 3 : 4, paid: `${341 + 11 * k}.00`, refreshes: k + 1 })),
    );
    expect(seen.size).toBeGreaterThan(0);
    for (const state of seen) expect(consistent).toContain(state);
  });

  it('a failing definition rolls every mart back (and logs nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olist-marts-'));
    try {
      cpSync(findUpwards(import.meta.url, 'projections/duckdb/marts'), dir, { recursive: true });
      const file = join(dir, 'payment_mix.sql');
      writeFileSync(file, readFileSync(file, 'utf8').replace('FROM by_type', 'FROM no_such_table'));
      await h.client.run(june('o7').sql());
      await expect(new MartRefresher({ dir }).refresh(h.client)).rejects.toThrow(/mart\.payment_mix \(payment_mix\.sql\)/);
      expect(await h.client.queryOne(snapshot)).toEqual({ months: 3n, paid: '341.00', refreshes: 1n });
      expect(h.client.inTransaction).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a definitions directory that lacks a mart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'olist-marts-'));
    try {
      expect(() => new MartRefresher({ dir })).toThrow(/monthly_revenue\.sql is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MartRefreshScheduler: debounced refreshes after projector batches', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
    await h.client.run(marketplace().sql());
  });
  afterEach(() => h.close());

  const refreshes = () => h.client.scalar<bigint>('SELECT count(*) FROM mart.refresh_log');

  it('coalesces a burst of batches into one refresh once idle', async () => {
    let resolveRefreshed: () => void;
    const refreshed = new Promise<void>((resolve) => (resolveRefreshed = resolve));
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 30, maxDelayMs: 5_000, onRefresh: () => resolveRefreshed() });
    try {
      for (let i = 0; i < 10; i++) scheduler.notify();
      expect(scheduler.status().pending).toBe(true);
      await refreshed;
      expect(await refreshes()).toBe(1n);
      expect(scheduler.status()).toMatchObject({ pending: false, error: undefined, last: { tables: [...MART_TABLES] } });
      expect(await h.client.scalar('SELECT count(*) FROM mart.monthly_revenue')).toBe(3n);
    } finally {
      await scheduler.stop();
    }
  });

  it('refreshes at least every maxDelayMs while batches keep coming', async () => {
    // Notifications every 10 ms never leave the scheduler idle for 10 s: every refresh here is due to maxDelayMs.
    let refreshed = 0;
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 10_000, maxDelayMs: 60, onRefresh: () => refreshed++ });
    try {
      const until = Date.now() + 8_000;
      while (Date.now() < until && refreshed < 2) {
        scheduler.notify();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await refreshes()).toBeGreaterThanOrEqual(2n);
    } finally {
      await scheduler.stop();
    }
  });

  it('starts a background refresh no sooner than minGapFactor times the last refresh\'s duration after it', async () => {
    const slow = { refresh: async () => { await new Promise((resolve) => setTimeout(resolve, 50)); return { tables: [] }; } } as unknown as MartRefresher;
    const refreshedAt: number[] = [];
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 5, maxDelayMs: 5, minGapFactor: 20, refresher: slow, onRefresh: () => refreshedAt.push(Date.now()) });
    try {
      await scheduler.refreshNow();
      const ended = Date.now();
      scheduler.notify();
      while (refreshedAt.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(refreshedAt[0]! - ended).toBeGreaterThanOrEqual(20 * 50 - 10);
      expect(refreshedAt[0]! - ended).toBeLessThan(5_000);
    } finally {
      await scheduler.stop();
    }
  });

  it('tries a failed background refresh again by itself (1 s, doubling), even when no batch comes', async () => {
    let calls = 0;
    const refresher = new MartRefresher();
    const flaky = { refresh: (client: Parameters<MartRefresher['refresh']>[0]) => (++calls === 1 ? Promise.reject(new Error('No space left on device')) : refresher.refresh(client)) } as unknown as MartRefresher;
    const errors: Array<[string, number | undefined]> = [];
    let resolveRefreshed: () => void;
    const refreshed = new Promise<void>((resolve) => (resolveRefreshed = resolve));
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 5, refresher: flaky, onError: (e, retryInMs) => errors.push([e.message, retryInMs]), onRefresh: () => resolveRefreshed() });
    try {
      scheduler.notify();
      await refreshed;
      expect(errors).toEqual([['No space left on device', 1000]]);
      expect(await refreshes()).toBe(1n);
      expect(scheduler.status()).toMatchObject({ pending: false, error: undefined });
    } finally {
      await scheduler.stop();
    }
  });

  it('refreshNow runs after the refresh in flight; stop runs the pending refresh, then refuses more', async () => {
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 10_000 });
    const [a, b] = await Promise.all([scheduler.refreshNow(), scheduler.refreshNow()]);
    expect(a.tables).toEqual([...MART_TABLES]);
    expect(b.tables).toEqual([...MART_TABLES]);
    expect(await refreshes()).toBe(2n);
    scheduler.notify();
    await scheduler.stop();
    expect(await refreshes()).toBe(3n); // the marts a stopped projector leaves behind match its star schema
    scheduler.notify();
    await expect(scheduler.refreshNow()).rejects.toThrow(/stopped/);
    expect(await refreshes()).toBe(3n);
  });

  it('settle runs a pending refresh at once, even one held back after a slow refresh, and owes nothing after', async () => {
    const scheduler = new MartRefreshScheduler(h.db, { idleMs: 60_000, maxDelayMs: 60_000, minGapFactor: 1_000 });
    try {
      expect(await scheduler.settle()).toBeUndefined(); // nothing owed: no refresh (there is no mart schema yet)
      expect(await h.client.scalar<bigint>("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'mart'")).toBe(0n);
      scheduler.notify();
      const settled = await scheduler.settle();
      expect(settled?.tables).toEqual([...MART_TABLES]);
      expect(await refreshes()).toBe(1n);
      expect(scheduler.status().pending).toBe(false);
      expect(await scheduler.settle()).toBeUndefined();
      expect(await refreshes()).toBe(1n);
    } finally {
      await scheduler.stop();
    }
  });
});
