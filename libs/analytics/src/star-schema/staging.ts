import type { DuckDBDecimalValue, DuckDBTimestampValue, DuckDBValue } from '@duckdb/node-api';

/** The value the Appender takes for each SQL type of a staging column (or null). */
interface SqlValues {
  VARCHAR: string;
  INTEGER: number;
  BIGINT: bigint;
  HUGEINT: bigint;
  BOOLEAN: boolean;
  TIMESTAMP: DuckDBTimestampValue;
  'DECIMAL(18,2)': DuckDBDecimalValue;
}
type Column = readonly [name: string, sqlType: keyof SqlValues];

/**
 * Per-batch staging tables (TEMP, on the projection's own connection). A batch's events are grouped in
 * memory, bulk-loaded here with the Appender inside the batch's transaction, merged set-wise into
 * `core`, and deleted again before the commit.
 */
export interface StagingTable<Columns extends ReadonlyArray<Column> = ReadonlyArray<Column>> {
  readonly name: string;
  readonly columns: Columns;
}

const table = <const Columns extends ReadonlyArray<Column>>(name: string, columns: Columns): StagingTable<Columns> => ({ name, columns });

export const STAGING = {
  category: table('stg_category', [
    ['category_name_pt', 'VARCHAR'],
    ['category_name_en', 'VARCHAR'],
  ]),
  seller: table('stg_seller', [
    ['seller_id', 'VARCHAR'],
    ['zip_prefix', 'VARCHAR'],
    ['city', 'VARCHAR'],
    ['state', 'VARCHAR'],
  ]),
  product: table('stg_product', [
    ['product_id', 'VARCHAR'],
    ['category_name_pt', 'VARCHAR'],
    ['name_length', 'INTEGER'],
    ['description_length', 'INTEGER'],
    ['photos_qty', 'INTEGER'],
    ['weight_g', 'INTEGER'],
    ['length_cm', 'INTEGER'],
    ['height_cm', 'INTEGER'],
    ['width_cm', 'INTEGER'],
  ]),
  customer: table('stg_customer', [
    ['customer_id', 'VARCHAR'],
    ['customer_unique_id', 'VARCHAR'],
    ['zip_prefix', 'VARCHAR'],
    ['city', 'VARCHAR'],
    ['state', 'VARCHAR'],
  ]),
  /** ZipCodeLocated events summed per (prefix, city, state), coordinates scaled by 1e12: appended to core_state. */
  geo: table('core_state.geo_location_sums', [
    ['zip_prefix', 'VARCHAR'],
    ['city', 'VARCHAR'],
    ['state', 'VARCHAR'],
    ['location_rows', 'BIGINT'],
    ['sum_lat_e12', 'HUGEINT'],
    ['sum_lng_e12', 'HUGEINT'],
  ]),
  /** The zip prefixes whose sums the batch appended. */
  geoPrefix: table('stg_geo_prefix', [['zip_prefix', 'VARCHAR']]),
  /** Appended straight to core_state.stream_progress (append-only), not to a TEMP table. */
  streamProgress: table('core_state.stream_progress', [
    ['stream_id', 'VARCHAR'],
    ['revision', 'BIGINT'],
  ]),
  /**
   * One row per order the batch changes, or creates: the batch's merged order-level facts (NULL = not in
   * this batch). Orders only touched by an item, payment or review are staged only when not projected yet.
   */
  order: table('stg_order', [
    ['order_id', 'VARCHAR'],
    ['customer_id', 'VARCHAR'],
    /** customer_id is in dim_customer (or registered in this batch): the key resolves without a join. */
    ['customer_known', 'BOOLEAN'],
    ['purchased_at', 'TIMESTAMP'],
    ['estimated_delivery_at', 'TIMESTAMP'],
    ['approved_at', 'TIMESTAMP'],
    ['status_rank', 'INTEGER'],
    ['dispatched_at', 'TIMESTAMP'],
    ['delivered_at', 'TIMESTAMP'],
    ['delivery_estimated_at', 'TIMESTAMP'],
    ['on_time', 'BOOLEAN'],
    ['delay_days', 'INTEGER'],
    ['in_deliveries', 'BOOLEAN'],
    /** Not in fact_orders before this batch (JS knows the projected order ids): a plain INSERT. */
    ['is_new', 'BOOLEAN'],
    /** Set in SQL: the order's customer or purchase date changed after its children were projected. */
    ['rekey', 'BOOLEAN'],
  ]),
  /** Items, payments and reviews carry their order's customer and purchase date key (no join with fact_orders). */
  item: table('stg_item', [
    ['order_id', 'VARCHAR'],
    ['customer_id', 'VARCHAR'],
    ['customer_known', 'BOOLEAN'],
    ['purchase_date_key', 'INTEGER'],
    ['order_item_id', 'INTEGER'],
    ['product_id', 'VARCHAR'],
    ['seller_id', 'VARCHAR'],
    ['shipping_limit_at', 'TIMESTAMP'],
    ['price', 'DECIMAL(18,2)'],
    ['freight_value', 'DECIMAL(18,2)'],
  ]),
  payment: table('stg_payment', [
    ['order_id', 'VARCHAR'],
    ['customer_id', 'VARCHAR'],
    ['customer_known', 'BOOLEAN'],
    ['purchase_date_key', 'INTEGER'],
    ['payment_sequential', 'INTEGER'],
    ['payment_type', 'VARCHAR'],
    ['installments', 'INTEGER'],
    ['payment_value', 'DECIMAL(18,2)'],
  ]),
  review: table('stg_review', [
    ['review_id', 'VARCHAR'],
    ['order_id', 'VARCHAR'],
    ['customer_id', 'VARCHAR'],
    ['customer_known', 'BOOLEAN'],
    ['submitted', 'BOOLEAN'],
    ['score', 'INTEGER'],
    ['has_comment', 'BOOLEAN'],
    ['created_at', 'TIMESTAMP'],
    ['answered_at', 'TIMESTAMP'],
  ]),
} as const satisfies Record<string, StagingTable>;

export type StagingName = keyof typeof STAGING;

/** One row of a staging table: every column by name, none other. */
export type StagedRow<Name extends StagingName> = {
  readonly [C in (typeof STAGING)[Name]['columns'][number] as C[0]]: SqlValues[C[1]] | null;
};

/** Column arrays for one staging table, filled row by row in the declared column order. */
class StagedColumns {
  readonly columns: DuckDBValue[][];
  private readonly names: ReadonlyArray<string>;
  constructor(readonly table: StagingTable) {
    this.columns = table.columns.map(() => []);
    this.names = table.columns.map(([name]) => name);
  }
  get rowCount(): number {
    return this.columns[0]!.length;
  }
  append(row: Readonly<Record<string, DuckDBValue>>): void {
    for (let i = 0; i < this.names.length; i++) this.columns[i]!.push(row[this.names[i]!]);
  }
}

/** A batch's staged rows by staging table; a table without rows has no entry. */
export class StagedTables extends Map<StagingName, StagedColumns> {
  append<Name extends StagingName>(name: Name, row: StagedRow<Name>): void {
    let columns = this.get(name);
    if (!columns) this.set(name, (columns = new StagedColumns(STAGING[name])));
    columns.append(row);
  }
}

export const createStagingSql = (): string =>
  Object.values(STAGING)
    .filter((t) => !t.name.includes('.'))
    .map((t) => `CREATE OR REPLACE TEMP TABLE ${t.name} (${t.columns.map(([n, type]) => `${n} ${type}`).join(', ')});`)
    .join('\n');
