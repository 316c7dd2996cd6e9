import { ORDER_STATUS_BY_RANK } from './batch.js';

/**
 * Set-based statements of the star-schema projection. Each reads the batch's staging tables
 * (stg_*, see staging.ts) and merges into `core` keyed by natural keys, so that applying an event twice
 * never doubles a row. Surrogate keys come from core.surrogate_key(natural id): a fact's key is that of
 * its reference when the dimension row exists, else 0 (unknown), repointed when the reference arrives.
 */

const STATUSES = `[${ORDER_STATUS_BY_RANK.map((s) => `'${s}'`).join(', ')}]`;

export const UNKNOWN_MEMBERS_SQL = `
  INSERT INTO core.dim_date VALUES (0, NULL, NULL, NULL, NULL, 'unknown', NULL, NULL, NULL, NULL, NULL) ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_category VALUES (0, 'unknown', 'unknown') ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_geography VALUES (0, '', 'unknown', 'unknown', NULL, NULL, 0) ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_customer VALUES (0, '', '', '', 'unknown', 'unknown', 0) ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_seller VALUES (0, '', '', 'unknown', 'unknown', 0) ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_product VALUES (0, '', 0, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL) ON CONFLICT DO NOTHING;`;

/** Per-batch working table: the merged state of every order the batch touches. */
export const TMP_ORDERS_SQL = `
  CREATE OR REPLACE TEMP TABLE tmp_orders (
    order_id VARCHAR, customer_id VARCHAR, customer_key BIGINT, purchase_date_key INTEGER, order_status VARCHAR,
    purchased_at TIMESTAMP, approved_at TIMESTAMP, delivered_carrier_at TIMESTAMP, delivered_customer_at TIMESTAMP,
    estimated_delivery_at TIMESTAMP, old_item_count INTEGER, old_items_value DECIMAL(18,2), old_freight_value DECIMAL(18,2),
    old_payment_value DECIMAL(18,2), items_touched BOOLEAN, payments_touched BOOLEAN, in_deliveries BOOLEAN,
    delivery_estimated_at TIMESTAMP, on_time BOOLEAN, delay_days INTEGER, rekey BOOLEAN
  )`;

export const SQL = {
  geoStreamRevisions: `SELECT stream_id, revision FROM core_state.stream_progress WHERE stream_id IN (SELECT unnest($1::VARCHAR[]))`,

  geo: `
    INSERT INTO core_state.geo_location_sums AS g
    SELECT zip_prefix, city, state, location_rows, sum_lat_e12, sum_lng_e12 FROM stg_geo
    ON CONFLICT (zip_prefix, city, state) DO UPDATE SET
      location_rows = g.location_rows + excluded.location_rows,
      sum_lat_e12 = g.sum_lat_e12 + excluded.sum_lat_e12,
      sum_lng_e12 = g.sum_lng_e12 + excluded.sum_lng_e12;
    INSERT OR REPLACE INTO core_state.stream_progress SELECT stream_id, revision FROM stg_stream_progress;
    INSERT OR REPLACE INTO core.dim_geography
    SELECT core.surrogate_key(zip_prefix), zip_prefix,
           first(city ORDER BY location_rows DESC, city, state),
           first(state ORDER BY location_rows DESC, city, state),
           CAST(sum(sum_lat_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12,
           CAST(sum(sum_lng_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12,
           sum(location_rows)
    FROM core_state.geo_location_sums
    WHERE zip_prefix IN (SELECT zip_prefix FROM stg_geo)
    GROUP BY zip_prefix;`,

  /** Customers and sellers that named a prefix before it was located. */
  geoRepoint: `
    UPDATE core.dim_customer SET geography_key = core.surrogate_key(zip_prefix)
    WHERE geography_key = 0 AND zip_prefix IN (SELECT zip_prefix FROM stg_geo);
    UPDATE core.dim_seller SET geography_key = core.surrogate_key(zip_prefix)
    WHERE geography_key = 0 AND zip_prefix IN (SELECT zip_prefix FROM stg_geo);`,

  category: `
    INSERT OR REPLACE INTO core.dim_category
    SELECT core.surrogate_key(category_name_pt), category_name_pt, category_name_en FROM stg_category;
    UPDATE core.dim_product SET category_key = core.surrogate_key(category_name_pt)
    WHERE category_key = 0 AND category_name_pt IN (SELECT category_name_pt FROM stg_category);`,

  seller: `
    INSERT OR REPLACE INTO core.dim_seller
    SELECT core.surrogate_key(s.seller_id), s.seller_id, s.zip_prefix, s.city, s.state, COALESCE(g.geography_key, 0)
    FROM stg_seller s LEFT JOIN core.dim_geography g ON g.zip_prefix = s.zip_prefix AND g.geography_key <> 0;
    UPDATE core.fact_order_items SET seller_key = core.surrogate_key(seller_id)
    WHERE seller_key = 0 AND seller_id IN (SELECT seller_id FROM stg_seller);`,

  product: `
    INSERT OR REPLACE INTO core.dim_product
    SELECT core.surrogate_key(p.product_id), p.product_id, COALESCE(c.category_key, 0), p.category_name_pt,
           p.name_length, p.description_length, p.photos_qty, p.weight_g, p.length_cm, p.height_cm, p.width_cm
    FROM stg_product p LEFT JOIN core.dim_category c ON c.category_name_pt = p.category_name_pt AND c.category_key <> 0;
    UPDATE core.fact_order_items SET product_key = core.surrogate_key(product_id)
    WHERE product_key = 0 AND product_id IN (SELECT product_id FROM stg_product);`,

  customer: `
    INSERT OR REPLACE INTO core.dim_customer
    SELECT core.surrogate_key(c.customer_id), c.customer_id, c.customer_unique_id, c.zip_prefix, c.city, c.state,
           COALESCE(g.geography_key, 0)
    FROM stg_customer c LEFT JOIN core.dim_geography g ON g.zip_prefix = c.zip_prefix AND g.geography_key <> 0;`,

  /** Orders that named a customer before it was registered: recomputed (with their children) below. */
  customerOrders: `
    INSERT INTO stg_order (order_id, status_rank, in_deliveries, items_touched, payments_touched)
    SELECT order_id, 0, false, false, false FROM core.fact_orders
    WHERE customer_key = 0 AND customer_id IN (SELECT customer_id FROM stg_customer)
      AND order_id NOT IN (SELECT order_id FROM stg_order)`,

  /** Merges the batch's order-level facts with the stored order (later non-null values win; status by precedence). */
  mergeOrders: `
    INSERT INTO tmp_orders BY NAME
    SELECT m.* EXCLUDE (status_rank, existed, old_customer_key, old_purchase_date_key),
           COALESCE(c.customer_key, 0) AS customer_key,
           core.date_key(m.purchased_at) AS purchase_date_key,
           ${STATUSES}[m.status_rank + 1] AS order_status,
           m.existed AND (m.old_customer_key <> COALESCE(c.customer_key, 0)
                          OR m.old_purchase_date_key <> core.date_key(m.purchased_at)) AS rekey
    FROM (
      SELECT s.order_id,
             COALESCE(s.customer_id, e.customer_id) AS customer_id,
             COALESCE(s.purchased_at, e.purchased_at) AS purchased_at,
             COALESCE(s.approved_at, e.approved_at) AS approved_at,
             COALESCE(s.dispatched_at, e.delivered_carrier_at) AS delivered_carrier_at,
             COALESCE(s.delivered_at, e.delivered_customer_at) AS delivered_customer_at,
             COALESCE(s.estimated_delivery_at, e.estimated_delivery_at) AS estimated_delivery_at,
             greatest(s.status_rank, COALESCE(list_position(${STATUSES}, e.order_status) - 1, 0)) AS status_rank,
             e.order_id IS NOT NULL AS existed,
             e.customer_key AS old_customer_key,
             e.purchase_date_key AS old_purchase_date_key,
             COALESCE(e.item_count, 0) AS old_item_count,
             COALESCE(e.items_value, 0) AS old_items_value,
             COALESCE(e.freight_value, 0) AS old_freight_value,
             COALESCE(e.payment_value, 0) AS old_payment_value,
             s.items_touched, s.payments_touched, s.in_deliveries, s.delivery_estimated_at, s.on_time, s.delay_days
      FROM stg_order s LEFT JOIN core.fact_orders e ON e.order_id = s.order_id
    ) m
    LEFT JOIN core.dim_customer c ON c.customer_key = core.surrogate_key(m.customer_id) AND c.customer_key <> 0`,

  items: `
    INSERT OR REPLACE INTO core.fact_order_items
    SELECT i.order_id, i.order_item_id, i.product_id, i.seller_id,
           COALESCE(p.product_key, 0), COALESCE(sl.seller_key, 0),
           COALESCE(o.customer_key, 0), COALESCE(o.purchase_date_key, 0),
           i.shipping_limit_at, i.price, i.freight_value
    FROM stg_item i
    LEFT JOIN tmp_orders o ON o.order_id = i.order_id
    LEFT JOIN core.dim_product p ON p.product_key = core.surrogate_key(i.product_id) AND p.product_key <> 0
    LEFT JOIN core.dim_seller sl ON sl.seller_key = core.surrogate_key(i.seller_id) AND sl.seller_key <> 0`,

  payments: `
    INSERT OR REPLACE INTO core.fact_payments
    SELECT p.order_id, p.payment_sequential, COALESCE(o.customer_key, 0), COALESCE(o.purchase_date_key, 0),
           p.payment_type, p.installments, p.payment_value
    FROM stg_payment p LEFT JOIN tmp_orders o ON o.order_id = p.order_id`,

  reviews: `
    INSERT OR REPLACE INTO core.fact_reviews
    SELECT r.review_id, r.order_id, COALESCE(o.customer_key, 0),
           CASE WHEN r.submitted THEN r.score ELSE e.score END,
           CASE WHEN r.submitted THEN r.has_comment ELSE e.has_comment END,
           CASE WHEN r.submitted THEN core.date_key(r.created_at) ELSE COALESCE(e.created_date_key, 0) END,
           CASE WHEN r.submitted THEN r.created_at ELSE e.created_at END,
           COALESCE(r.answered_at, e.answered_at)
    FROM stg_review r
    LEFT JOIN core.fact_reviews e ON e.review_id = r.review_id AND e.order_id = r.order_id
    LEFT JOIN tmp_orders o ON o.order_id = r.order_id`,

  /** Order totals are recomputed from the item and payment facts (idempotent), only for orders whose items/payments changed. */
  orders: `
    INSERT OR REPLACE INTO core.fact_orders
    SELECT o.order_id, o.customer_id, o.customer_key, o.purchase_date_key, o.order_status,
           o.purchased_at, o.approved_at, o.delivered_carrier_at, o.delivered_customer_at, o.estimated_delivery_at,
           CASE WHEN o.items_touched THEN COALESCE(it.item_count, 0) ELSE o.old_item_count END,
           CASE WHEN o.items_touched THEN COALESCE(it.items_value, 0) ELSE o.old_items_value END,
           CASE WHEN o.items_touched THEN COALESCE(it.freight_value, 0) ELSE o.old_freight_value END,
           CASE WHEN o.payments_touched THEN COALESCE(pay.payment_value, 0) ELSE o.old_payment_value END
    FROM tmp_orders o
    LEFT JOIN (
      SELECT order_id, count(*) AS item_count, sum(price) AS items_value, sum(freight_value) AS freight_value
      FROM core.fact_order_items WHERE order_id IN (SELECT order_id FROM stg_item) GROUP BY order_id
    ) it ON it.order_id = o.order_id
    LEFT JOIN (
      SELECT order_id, sum(payment_value) AS payment_value
      FROM core.fact_payments WHERE order_id IN (SELECT order_id FROM stg_payment) GROUP BY order_id
    ) pay ON pay.order_id = o.order_id`,

  /** Orders with a shipment or delivery event; also rewritten when the order's keys changed (late OrderPlaced/customer). */
  deliveries: `
    INSERT OR REPLACE INTO core.fact_deliveries
    SELECT o.order_id, o.customer_key, o.purchase_date_key,
           o.delivered_carrier_at, o.delivered_customer_at,
           COALESCE(o.delivery_estimated_at, d.estimated_delivery_at, o.estimated_delivery_at),
           date_diff('day', CAST(o.purchased_at AS DATE), CAST(o.delivered_customer_at AS DATE)),
           COALESCE(o.on_time, d.on_time), COALESCE(o.delay_days, d.delay_days)
    FROM tmp_orders o LEFT JOIN core.fact_deliveries d ON d.order_id = o.order_id
    WHERE o.in_deliveries OR (o.rekey AND d.order_id IS NOT NULL)`,

  rekeyCount: `SELECT count(*) FROM tmp_orders WHERE rekey`,

  /** Children of orders whose customer or purchase date changed after they were projected. */
  rekeyChildren: `
    UPDATE core.fact_order_items f SET customer_key = o.customer_key, purchase_date_key = o.purchase_date_key
    FROM tmp_orders o WHERE o.rekey AND f.order_id = o.order_id;
    UPDATE core.fact_payments f SET customer_key = o.customer_key, purchase_date_key = o.purchase_date_key
    FROM tmp_orders o WHERE o.rekey AND f.order_id = o.order_id;
    UPDATE core.fact_reviews f SET customer_key = o.customer_key
    FROM tmp_orders o WHERE o.rekey AND f.order_id = o.order_id;`,

  readCheckpoint: `SELECT checkpoint, events_projected FROM core.projection_checkpoint WHERE projection = $1`,

  writeCheckpoint: `
    INSERT INTO core.projection_checkpoint AS c VALUES ($projection, $checkpoint, $events, $updatedAt)
    ON CONFLICT (projection) DO UPDATE SET
      checkpoint = excluded.checkpoint,
      events_projected = c.events_projected + excluded.events_projected,
      updated_at = excluded.updated_at`,
} as const;
