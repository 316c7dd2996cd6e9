import type { DuckDbDatabase } from '@olist/duckdb';
import { ApplicationError } from '@olist/shared-kernel';
import { UnknownMartError } from './mart-reader.js';
import type { DuckDbMartReader } from './duckdb-mart-reader.js';
import type { MartRow } from './mart-reader.js';

/** The natural key of each fact table: what its rows are found and traced by. */
export const FACT_KEYS = {
  'core.fact_orders': ['order_id'],
  'core.fact_order_items': ['order_id', 'order_item_id'],
  'core.fact_payments': ['order_id', 'payment_sequential'],
  'core.fact_reviews': ['review_id', 'order_id'],
  'core.fact_deliveries': ['order_id'],
} as const;
export type FactTable = keyof typeof FACT_KEYS;
export const isFactTable = (name: string): name is FactTable => name in FACT_KEYS;

const REVENUE = `o.order_status NOT IN ('canceled', 'unavailable')`;

/**
 * Which fact rows each mart row aggregates: the mart's key columns, and per fact table the SQL that selects
 * the natural keys of the contributing rows (named parameters are the key columns, typed as the mart's).
 * Each mirrors the filters of the mart's definition in projections/duckdb/marts/.
 */
const MART_LINEAGE: Readonly<Record<string, { readonly keys: ReadonlyArray<string>; readonly facts: Partial<Record<FactTable, string>> }>> = {
  monthly_revenue: {
    keys: ['month'],
    facts: {
      'core.fact_orders': `SELECT o.order_id FROM core.fact_orders o
        WHERE o.purchased_at IS NOT NULL AND ${REVENUE} AND CAST(date_trunc('month', o.purchased_at) AS DATE) = CAST($month AS DATE)`,
      'core.fact_order_items': `SELECT i.order_id, i.order_item_id FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
        WHERE o.purchased_at IS NOT NULL AND ${REVENUE} AND CAST(date_trunc('month', o.purchased_at) AS DATE) = CAST($month AS DATE)`,
    },
  },
  seller_scorecard: {
    keys: ['seller_id'],
    facts: {
      'core.fact_order_items': `SELECT i.order_id, i.order_item_id FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
        WHERE ${REVENUE} AND i.seller_id = $seller_id`,
      'core.fact_reviews': `SELECT r.review_id, r.order_id FROM core.fact_reviews r
        WHERE r.order_id IN (SELECT i.order_id FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id) WHERE ${REVENUE} AND i.seller_id = $seller_id)`,
    },
  },
  category_performance: {
    keys: ['category'],
    facts: {
      'core.fact_order_items': `SELECT i.order_id, i.order_item_id FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
        LEFT JOIN core.dim_product p ON p.product_key = i.product_key LEFT JOIN core.dim_category cat ON cat.category_key = p.category_key
        WHERE ${REVENUE} AND coalesce(cat.category_name_en, 'unknown') = $category`,
    },
  },
  delivery_performance: {
    keys: ['month', 'customer_state'],
    facts: {
      'core.fact_deliveries': `SELECT d.order_id FROM core.fact_deliveries d JOIN core.fact_orders o USING (order_id)
        LEFT JOIN core.dim_customer c ON c.customer_key = o.customer_key
        WHERE d.delivered_at IS NOT NULL AND o.purchased_at IS NOT NULL
          AND CAST(date_trunc('month', o.purchased_at) AS DATE) = CAST($month AS DATE) AND coalesce(c.state, 'unknown') = $customer_state`,
    },
  },
  review_vs_delivery: {
    keys: ['delay_bucket'],
    facts: {
      'core.fact_reviews': `SELECT r.review_id, r.order_id FROM core.fact_reviews r JOIN core.fact_deliveries d USING (order_id)
        JOIN mart.review_vs_delivery b ON b.delay_bucket = $delay_bucket
        WHERE r.score IS NOT NULL AND d.delivered_at IS NOT NULL AND d.delay_days IS NOT NULL
          AND (b.min_delay_days IS NULL OR d.delay_days >= b.min_delay_days) AND (b.max_delay_days IS NULL OR d.delay_days <= b.max_delay_days)`,
    },
  },
  customer_segments: {
    keys: ['customer_unique_id'],
    facts: {
      'core.fact_orders': `SELECT o.order_id FROM core.fact_orders o JOIN core.dim_customer c ON c.customer_key = o.customer_key
        WHERE o.customer_key <> 0 AND o.purchased_at IS NOT NULL AND ${REVENUE} AND c.customer_unique_id = $customer_unique_id`,
      'core.fact_order_items': `SELECT i.order_id, i.order_item_id FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
        JOIN core.dim_customer c ON c.customer_key = o.customer_key
        WHERE o.customer_key <> 0 AND o.purchased_at IS NOT NULL AND ${REVENUE} AND c.customer_unique_id = $customer_unique_id`,
    },
  },
  customer_cohorts: {
    keys: ['cohort_month', 'months_since'],
    facts: {
      // The orders of the cohort's customers placed in that month of their life as customers.
      'core.fact_orders': `WITH revenue AS (
          SELECT o.order_id, c.customer_unique_id, CAST(date_trunc('month', o.purchased_at) AS DATE) AS order_month
          FROM core.fact_orders o JOIN core.dim_customer c ON c.customer_key = o.customer_key
          WHERE o.customer_key <> 0 AND o.purchased_at IS NOT NULL AND ${REVENUE}),
        cohorts AS (SELECT customer_unique_id, min(order_month) AS cohort_month FROM revenue GROUP BY customer_unique_id)
        SELECT r.order_id FROM revenue r JOIN cohorts k USING (customer_unique_id)
        WHERE k.cohort_month = CAST($cohort_month AS DATE) AND date_diff('month', k.cohort_month, r.order_month) = CAST($months_since AS INTEGER)`,
    },
  },
  payment_mix: {
    keys: ['payment_type'],
    facts: {
      'core.fact_payments': `SELECT p.order_id, p.payment_sequential FROM core.fact_payments p JOIN core.fact_orders o USING (order_id)
        WHERE ${REVENUE} AND p.payment_type = $payment_type`,
    },
  },
};

export const MART_LINEAGE_NAMES = Object.keys(MART_LINEAGE);

export class NoLineageError extends ApplicationError {
  readonly code = 'AUDIT.NO_LINEAGE';
  readonly kind = 'not_found';
}
export class LineageKeyError extends ApplicationError {
  readonly code = 'AUDIT.INVALID_KEY';
  readonly kind = 'invalid';
}
export class UnknownFactRowError extends ApplicationError {
  readonly code = 'AUDIT.UNKNOWN_FACT_ROW';
  readonly kind = 'not_found';
}

export interface MartLineagePage {
  readonly mart: string;
  readonly key: Readonly<Record<string, string>>;
  /** The mart row, as the live marts hold it. */
  readonly row: MartRow;
  readonly facts: ReadonlyArray<{ readonly table: FactTable; readonly keyColumns: ReadonlyArray<string>; readonly total: number; readonly rows: ReadonlyArray<Record<string, string>> }>;
  readonly limit: number;
  readonly offset: number;
}

/** Lineage's DuckDB side: a mart row → the fact rows aggregated into it; a fact row by its natural key. */
export interface LineageReader {
  martFacts(mart: string, key: Readonly<Record<string, string>>, page: { limit: number; offset: number }): Promise<MartLineagePage>;
  factRow(table: FactTable, key: Readonly<Record<string, string>>): Promise<Record<string, unknown>>;
}

const exactKey = (expected: ReadonlyArray<string>, key: Readonly<Record<string, string>>, what: string): void => {
  const given = Object.keys(key).sort();
  if (given.join() !== [...expected].sort().join()) {
    throw new LineageKeyError(`${what} is keyed by ${expected.join(', ')} (got ${given.join(', ') || 'nothing'})`, { keys: [...expected] });
  }
};

export class DuckDbLineage implements LineageReader {
  constructor(
    private readonly duckdb: DuckDbDatabase,
    private readonly marts: DuckDbMartReader,
  ) {}

  async martFacts(mart: string, key: Readonly<Record<string, string>>, page: { limit: number; offset: number }): Promise<MartLineagePage> {
    const lineage = MART_LINEAGE[mart];
    if (!lineage) {
      if (!(await this.marts.catalog()).marts.some((m) => m.name === mart)) throw new UnknownMartError(mart);
      throw new NoLineageError(`${mart} has no lineage yet (marts with lineage: ${MART_LINEAGE_NAMES.join(', ')})`, { mart });
    }
    exactKey(lineage.keys, key, mart);
    const found = await this.marts.read(mart, { filters: lineage.keys.map((column) => ({ column, op: 'eq' as const, values: [key[column]!] })), order: [], limit: 2, offset: 0 });
    if (found.rows.length !== 1) throw new UnknownFactRowError(`${mart} has no row ${JSON.stringify(key)}`, { mart, key });
    const client = await this.duckdb.connect();
    try {
      await client.run('BEGIN TRANSACTION READ ONLY');
      const facts = [];
      for (const [table, sql] of Object.entries(lineage.facts) as Array<[FactTable, string]>) {
        const keyColumns = FACT_KEYS[table];
        const casts = keyColumns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ');
        const total = await client.scalar<bigint>(`SELECT count(*) FROM (${sql})`, { ...key });
        const rows = await client.query<Record<string, string>>(
          `SELECT ${casts} FROM (${sql}) ORDER BY ${keyColumns.join(', ')} LIMIT ${page.limit} OFFSET ${page.offset}`, { ...key });
        facts.push({ table, keyColumns, total: Number(total), rows });
      }
      await client.run('COMMIT');
      return { mart, key, row: found.rows[0]!, facts, limit: page.limit, offset: page.offset };
    } finally {
      client.close();
    }
  }

  async factRow(table: FactTable, key: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
    const keyColumns = FACT_KEYS[table];
    exactKey(keyColumns, key, table);
    const client = await this.duckdb.connect();
    try {
      const where = keyColumns.map((c) => `CAST(${c} AS VARCHAR) = $${c}`).join(' AND ');
      const rows = await client.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE ${where}`, { ...key });
      if (rows.length === 0) throw new UnknownFactRowError(`${table} has no row ${JSON.stringify(key)}`, { table, key });
      return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v instanceof Object && 'toString' in v ? String(v) : v]));
    } finally {
      client.close();
    }
  }
}
