/**
 * The analytical floor: the `core` star schema and the marts built by DuckDB straight from the nine Olist CSV
 * files, with no event store and no per-row JavaScript. The projection's init() gives the new file the same
 * DDL, macros, unknown members and calendar; one set-based `INSERT … SELECT` per table from `read_csv` fills
 * it, reading each field as the row parser, the deciders and the projection do; the repository's marts follow.
 *
 * It assumes rows the pipeline accepts (quirks are fine), or rejects only as items, payments or reviews of an
 * unknown order (dropped here too): then every table equals the pipeline's. Repeated keys are not folded as
 * events would be, except geolocation rows (the distinct locations of a prefix, as the zip-code decider
 * keeps them) and reviews (one row per review and order, as the review decider).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { SOURCE_FILES, sourceFile, type SourceFileName } from '@olist/ingestion';
import { INVOICED_OR_LATER, ORDER_STATUS_PRECEDENCE, type OrderStatus } from '@olist/sales';
import {
  CALENDAR_FROM_YEAR, CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR, CALENDAR_TO_YEAR, MART_TABLES, MartRefresher, STAR_SCHEMA_TABLES,
  StarSchemaProjection, tableCounts,
} from '../src/index.js';
import { calendarSql } from '../src/star-schema/calendar.js';
import { literal } from '../src/star-schema/sql.js';

export interface CsvFloorResult {
  /** Wall time from opening the new file to the marts built and checkpointed into it. */
  readonly seconds: number;
  /** The `core` schema: DDL, unknown members, calendar and every table filled. */
  readonly starSchemaSeconds: number;
  readonly martsSeconds: number;
  /** Rows per star-schema table and mart. */
  readonly counts: Record<string, number>;
}

const csv = (dataDir: string, name: SourceFileName): string =>
  `read_csv(${literal(join(dataDir, sourceFile(name)!.fileName))}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`;

/** The row parser's readings of a raw field (see @olist/ingestion's FieldReader). */
const text = (column: string): string => `trim(${column})`;
const optionalText = (column: string): string => `NULLIF(trim(${column}), '')`;
const timestamp = (column: string): string => `CAST(NULLIF(trim(${column}), '') AS TIMESTAMP)`;
const money = (column: string): string => `CAST(trim(${column}) AS DECIMAL(18,2))`;
const integer = (column: string): string => `CAST(trim(${column}) AS INTEGER)`;
/** An optional count the projection rounds as Math.round does (half up). */
const measure = (column: string): string => `CAST(floor(CAST(NULLIF(trim(${column}), '') AS DOUBLE) + 0.5) AS INTEGER)`;
const zipPrefix = (column: string): string => `lpad(trim(${column}), 5, '0')`;
const uf = (column: string): string => `upper(trim(${column}))`;
/** hasText of the review projection: something besides whitespace. */
const hasText = (column: string): string => `COALESCE(trim(${column}, ' \t\n\r') <> '', false)`;

/**
 * Whether an order row reached each status, as its events say: the order decider's lifecycle events
 * (approved only with a time, invoiced for invoiced or later) and the shipment decider's (`dispatched`,
 * `delivered`: see floor_orders).
 */
const REACHED: Record<OrderStatus, string> = {
  created: 'true',
  approved: 'approved_at IS NOT NULL',
  invoiced: `source_status IN (${[...INVOICED_OR_LATER].map(literal).join(', ')})`,
  processing: `source_status = 'processing'`,
  shipped: 'dispatched',
  delivered: 'delivered',
  canceled: `source_status = 'canceled'`,
  unavailable: `source_status = 'unavailable'`,
};
/** fact_orders.order_status: the highest status reached by precedence. */
const ORDER_STATUS = `CASE ${[...ORDER_STATUS_PRECEDENCE].reverse().map((s) => `WHEN ${REACHED[s]} THEN ${literal(s)}`).join(' ')} END`;

const starSchemaSql = (dataDir: string): string => {
  const read = (name: SourceFileName): string => csv(dataDir, name);
  return `
    INSERT INTO core.dim_category
    SELECT core.surrogate_key(name), name, name_en
    FROM (SELECT ${text('product_category_name')} AS name, ${text('product_category_name_english')} AS name_en FROM ${read('categories')});

    -- Coordinates summed as the projection sums them (scaled by 1e12, rounded half up) so the centroids are the same doubles.
    INSERT INTO core.dim_geography
    WITH located AS (
      SELECT DISTINCT ${zipPrefix('geolocation_zip_code_prefix')} AS zip_prefix,
             CAST(trim(geolocation_lat) AS DOUBLE) AS lat, CAST(trim(geolocation_lng) AS DOUBLE) AS lng,
             ${text('geolocation_city')} AS city, ${uf('geolocation_state')} AS state
      FROM ${read('geolocation')}
    ),
    sums AS (
      SELECT zip_prefix, city, state, count(*) AS location_rows,
             sum(CAST(floor(lat * CAST(1e12 AS DOUBLE) + 0.5) AS HUGEINT)) AS sum_lat_e12,
             sum(CAST(floor(lng * CAST(1e12 AS DOUBLE) + 0.5) AS HUGEINT)) AS sum_lng_e12
      FROM located GROUP BY zip_prefix, city, state
    )
    SELECT core.surrogate_key(zip_prefix), zip_prefix,
           first(city ORDER BY location_rows DESC, city, state),
           first(state ORDER BY location_rows DESC, city, state),
           CAST(sum(sum_lat_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12,
           CAST(sum(sum_lng_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12,
           sum(location_rows)
    FROM sums GROUP BY zip_prefix;

    INSERT INTO core.dim_seller
    SELECT core.surrogate_key(s.seller_id), s.seller_id, s.zip_prefix, s.city, s.state, COALESCE(g.geography_key, 0)
    FROM (
      SELECT ${text('seller_id')} AS seller_id, ${zipPrefix('seller_zip_code_prefix')} AS zip_prefix,
             ${text('seller_city')} AS city, ${uf('seller_state')} AS state
      FROM ${read('sellers')}
    ) s LEFT JOIN core.dim_geography g ON g.zip_prefix = s.zip_prefix AND g.geography_key <> 0;

    INSERT INTO core.dim_product
    SELECT core.surrogate_key(p.product_id), p.product_id, COALESCE(c.category_key, 0), p.category_name_pt,
           p.name_length, p.description_length, p.photos_qty, p.weight_g, p.length_cm, p.height_cm, p.width_cm
    FROM (
      SELECT ${text('product_id')} AS product_id, ${optionalText('product_category_name')} AS category_name_pt,
             ${measure('product_name_lenght')} AS name_length, ${measure('product_description_lenght')} AS description_length,
             ${measure('product_photos_qty')} AS photos_qty, ${measure('product_weight_g')} AS weight_g,
             ${measure('product_length_cm')} AS length_cm, ${measure('product_height_cm')} AS height_cm,
             ${measure('product_width_cm')} AS width_cm
      FROM ${read('products')}
    ) p LEFT JOIN core.dim_category c ON c.category_name_pt = p.category_name_pt AND c.category_key <> 0;

    INSERT INTO core.dim_customer
    SELECT core.surrogate_key(c.customer_id), c.customer_id, c.customer_unique_id, c.zip_prefix, c.city, c.state,
           COALESCE(g.geography_key, 0)
    FROM (
      SELECT ${text('customer_id')} AS customer_id, ${text('customer_unique_id')} AS customer_unique_id,
             ${zipPrefix('customer_zip_code_prefix')} AS zip_prefix, ${text('customer_city')} AS city, ${uf('customer_state')} AS state
      FROM ${read('customers')}
    ) c LEFT JOIN core.dim_geography g ON g.zip_prefix = c.zip_prefix AND g.geography_key <> 0;

    -- Shipped and delivered as the shipment decider tells them (a date, or the status alone).
    CREATE TEMP TABLE floor_orders AS
    WITH source AS (
      SELECT ${text('order_id')} AS order_id, ${text('customer_id')} AS customer_id, ${text('order_status')} AS source_status,
             ${timestamp('order_purchase_timestamp')} AS purchased_at, ${timestamp('order_approved_at')} AS approved_at,
             ${timestamp('order_delivered_carrier_date')} AS delivered_carrier_at,
             ${timestamp('order_delivered_customer_date')} AS delivered_customer_at,
             ${timestamp('order_estimated_delivery_date')} AS estimated_delivery_at
      FROM ${read('orders')}
    ),
    reached AS (
      SELECT *, delivered OR delivered_carrier_at IS NOT NULL OR source_status = 'shipped' AS dispatched
      FROM (SELECT *, delivered_customer_at IS NOT NULL OR source_status = 'delivered' AS delivered FROM source)
    )
    SELECT r.order_id, r.customer_id, COALESCE(c.customer_key, 0) AS customer_key,
           core.date_key(r.purchased_at) AS purchase_date_key, ${ORDER_STATUS} AS order_status,
           r.purchased_at, r.approved_at, r.delivered_carrier_at, r.delivered_customer_at, r.estimated_delivery_at, r.dispatched
    FROM reached r LEFT JOIN core.dim_customer c ON c.customer_id = r.customer_id AND c.customer_key <> 0;

    INSERT INTO core.fact_order_items
    SELECT i.order_id, i.order_item_id, i.product_id, i.seller_id, COALESCE(p.product_key, 0), COALESCE(s.seller_key, 0),
           o.customer_key, o.purchase_date_key, i.shipping_limit_at, i.price, i.freight_value
    FROM (
      SELECT ${text('order_id')} AS order_id, ${integer('order_item_id')} AS order_item_id, ${text('product_id')} AS product_id,
             ${text('seller_id')} AS seller_id, ${timestamp('shipping_limit_date')} AS shipping_limit_at,
             ${money('price')} AS price, ${money('freight_value')} AS freight_value
      FROM ${read('order_items')}
    ) i
    JOIN floor_orders o ON o.order_id = i.order_id
    LEFT JOIN core.dim_product p ON p.product_id = i.product_id AND p.product_key <> 0
    LEFT JOIN core.dim_seller s ON s.seller_id = i.seller_id AND s.seller_key <> 0;

    INSERT INTO core.fact_payments
    SELECT p.order_id, p.payment_sequential, o.customer_key, o.purchase_date_key, p.payment_type, p.installments, p.payment_value
    FROM (
      SELECT ${text('order_id')} AS order_id, ${integer('payment_sequential')} AS payment_sequential,
             ${text('payment_type')} AS payment_type, ${integer('payment_installments')} AS installments,
             ${money('payment_value')} AS payment_value
      FROM ${read('payments')}
    ) p JOIN floor_orders o ON o.order_id = p.order_id;

    INSERT INTO core.fact_orders
    SELECT o.order_id, o.customer_id, o.customer_key, o.purchase_date_key, o.order_status, o.purchased_at, o.approved_at,
           o.delivered_carrier_at, o.delivered_customer_at, o.estimated_delivery_at,
           COALESCE(i.item_count, 0), COALESCE(i.items_value, 0), COALESCE(i.freight_value, 0), COALESCE(p.payment_value, 0)
    FROM floor_orders o
    LEFT JOIN (
      SELECT order_id, count(*) AS item_count, sum(price) AS items_value, sum(freight_value) AS freight_value
      FROM core.fact_order_items GROUP BY order_id
    ) i ON i.order_id = o.order_id
    LEFT JOIN (SELECT order_id, sum(payment_value) AS payment_value FROM core.fact_payments GROUP BY order_id) p ON p.order_id = o.order_id;

    -- A repeated (review, order) row corrects the submission; the first answer stays (the review decider).
    INSERT INTO core.fact_reviews
    SELECT r.review_id, r.order_id, o.customer_key, r.submission.score, r.submission.has_comment,
           core.date_key(r.submission.created_at), r.submission.created_at, r.answered_at
    FROM (
      SELECT review_id, order_id,
             arg_max({ 'score': score, 'has_comment': has_comment, 'created_at': created_at }, line) AS submission,
             arg_min(answered_at, line) FILTER (WHERE answered_at IS NOT NULL) AS answered_at
      FROM (
        SELECT row_number() OVER () AS line, ${text('review_id')} AS review_id, ${text('order_id')} AS order_id,
               ${integer('review_score')} AS score,
               ${hasText('review_comment_message')} OR ${hasText('review_comment_title')} AS has_comment,
               ${timestamp('review_creation_date')} AS created_at, ${timestamp('review_answer_timestamp')} AS answered_at
        FROM ${read('reviews')}
      )
      GROUP BY review_id, order_id
    ) r JOIN floor_orders o ON o.order_id = r.order_id;

    INSERT INTO core.fact_deliveries
    SELECT order_id, customer_key, purchase_date_key, delivered_carrier_at, delivered_customer_at, estimated_delivery_at,
           date_diff('day', CAST(purchased_at AS DATE), CAST(delivered_customer_at AS DATE)),
           delay_days <= 0, delay_days
    FROM (
      SELECT *, date_diff('day', CAST(estimated_delivery_at AS DATE), CAST(delivered_customer_at AS DATE)) AS delay_days
      FROM floor_orders WHERE dispatched
    );

    DROP TABLE floor_orders;`;
};

/** The years core.dim_date must cover beyond the base calendar: those of purchases and review creations, as the projection notes them. */
const extendCalendar = async (tx: DuckDbClient): Promise<void> => {
  const span = await tx.queryOne<{ lo: number | null; hi: number | null }>(
    `SELECT CAST(min(y) AS INTEGER) AS lo, CAST(max(y) AS INTEGER) AS hi FROM (
       SELECT year(purchased_at) AS y FROM core.fact_orders UNION ALL SELECT year(created_at) FROM core.fact_reviews
     ) WHERE y BETWEEN ${CALENDAR_MIN_YEAR} AND ${CALENDAR_MAX_YEAR}`,
  );
  const lo = Math.min(CALENDAR_FROM_YEAR, span?.lo ?? CALENDAR_FROM_YEAR);
  const hi = Math.max(CALENDAR_TO_YEAR, span?.hi ?? CALENDAR_TO_YEAR);
  if (lo < CALENDAR_FROM_YEAR || hi > CALENDAR_TO_YEAR) await tx.run(calendarSql(lo, hi));
};

/**
 * Builds core.* (the repository's DuckDB DDL, projections/duckdb/V001__core_star_schema.sql, and the same
 * macros/unknown members the projection creates) and mart.* (the repository's mart SQL) in a new DuckDB file
 * straight from the CSV files of `dataDir`.
 */
export async function buildStarSchemaFromCsv(dataDir: string, duckdbFile: string, options: { threads?: number } = {}): Promise<CsvFloorResult> {
  if (existsSync(duckdbFile)) throw new Error(`${duckdbFile} exists: the floor builds a new DuckDB file`);
  const missing = SOURCE_FILES.filter((f) => !existsSync(join(dataDir, f.fileName))).map((f) => f.fileName);
  if (missing.length > 0) throw new Error(`${dataDir} lacks ${missing.join(', ')}`);
  const refresher = new MartRefresher();

  const started = performance.now();
  const db = await DuckDbDatabase.open(duckdbFile, options.threads ? { config: { threads: String(options.threads) } } : {});
  let client: DuckDbClient | undefined;
  try {
    const projection = new StarSchemaProjection(db);
    await projection.init(); // migrations, macros, unknown members, base calendar, checkpoint row
    projection.close();
    client = await db.connect();
    await client.transaction(async (tx) => {
      await tx.run(starSchemaSql(dataDir));
      await extendCalendar(tx);
    });
    const starSchemaDone = performance.now();
    await refresher.refresh(client);
    const martsDone = performance.now();
    await client.run('CHECKPOINT');
    const seconds = (performance.now() - started) / 1000;

    const counts = await tableCounts(client, [...STAR_SCHEMA_TABLES, ...MART_TABLES]);
    return { seconds, starSchemaSeconds: (starSchemaDone - started) / 1000, martsSeconds: (martsDone - starSchemaDone) / 1000, counts };
  } finally {
    client?.close();
    db.close();
  }
}
