import { ERASED } from '@olist/personal-data';
import { ORDER_STATUS_PRECEDENCE } from '@olist/sales';

/**
 * Set-based statements of the star-schema projection. Each reads the batch's staging tables (stg_*, see
 * staging.ts) and merges into `core` keyed by natural keys (MERGE INTO: one join with the target), so
 * applying an event twice never doubles a row. Surrogate keys come from core.surrogate_key(natural id):
 * a reference resolves to its dimension row's key when that row exists, else to 0 (unknown), and is
 * repointed when the reference arrives.
 */

/** A status rank (stg_order.status_rank) is its 0-based position in the precedence. */
const STATUSES = `[${ORDER_STATUS_PRECEDENCE.map((s) => `'${s}'`).join(', ')}]`;
const statusAt = (rank: string): string => `${STATUSES}[${rank} + 1]`;
const rankOf = (status: string): string => `COALESCE(list_position(${STATUSES}, ${status}) - 1, 0)`;

/** A staged row's customer key: the customer's when it is in dim_customer (the projection knows which), else 0. */
const customerKey = (alias: string): string =>
  `CASE WHEN ${alias}.customer_known THEN core.surrogate_key(${alias}.customer_id) ELSE 0 END`;

/**
 * The batch's order rows with their customer key (0 until the customer is in dim_customer, which the
 * projection knows: customer_known) and purchase date key.
 */
const orderSource = (where: string): string => `
      SELECT s.*, ${customerKey('s')} AS customer_key,
             core.date_key(s.purchased_at) AS purchase_date_key
      FROM stg_order s
      WHERE ${where}`;

export const UNKNOWN_MEMBERS_SQL = `
  INSERT INTO core.dim_date VALUES (0, NULL, NULL, NULL, NULL, 'unknown', NULL, NULL, NULL, NULL, NULL) ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_category VALUES (0, 'unknown', 'unknown') ON CONFLICT DO NOTHING;
  INSERT INTO core.dim_geography SELECT 0, '', 'unknown', 'unknown', NULL, NULL, 0 WHERE NOT EXISTS (FROM core.dim_geography WHERE geography_key = 0);
  INSERT INTO core.dim_customer SELECT 0, '', '', '', 'unknown', 'unknown', 0 WHERE NOT EXISTS (FROM core.dim_customer WHERE customer_key = 0);
  INSERT INTO core.dim_seller SELECT 0, '', '', 'unknown', 'unknown', 0 WHERE NOT EXISTS (FROM core.dim_seller WHERE seller_key = 0);
  INSERT INTO core.dim_product SELECT 0, '', 0, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE NOT EXISTS (FROM core.dim_product WHERE product_key = 0);`;

/** Quotes a text literal (checkpoints and projection names go into SQL text to skip a prepare). */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Rows waiting for a late reference, by kind. The filters are on key 0, so row-group statistics skip the scan when
 * there are none; when there are, EXISTS stops at the first one (a count read all of dim_customer for every
 * geolocation batch while the customers waited: 12 ms a batch at 1M customers).
 */
export const PENDING_REFERENCES = {
  items_without_product: 'FROM core.fact_order_items WHERE product_key = 0',
  items_without_seller: 'FROM core.fact_order_items WHERE seller_key = 0',
  orders_without_customer: 'FROM core.fact_orders WHERE customer_key = 0 AND customer_id IS NOT NULL',
  orders_not_placed: 'FROM core.fact_orders WHERE customer_id IS NULL',
  products_without_category: 'FROM core.dim_product WHERE category_key = 0 AND product_key <> 0 AND category_name_pt IS NOT NULL',
  customers_without_geography: 'FROM core.dim_customer WHERE geography_key = 0 AND customer_key <> 0',
  sellers_without_geography: 'FROM core.dim_seller WHERE geography_key = 0 AND seller_key <> 0',
} as const;
export type PendingReference = keyof typeof PENDING_REFERENCES;

/** One row: for each kind, whether any row waits for it. */
export const pendingReferencesSql = (kinds: ReadonlyArray<PendingReference>): string =>
  `SELECT ${kinds.map((kind) => `EXISTS (SELECT 1 ${PENDING_REFERENCES[kind]}) AS ${kind}`).join(', ')}`;

export const SQL = {
  /** The batch's partial sums were appended to core_state.geo_location_sums; recompute the touched prefixes. */
  geo: `
    MERGE INTO core.dim_geography d
    USING (
      SELECT core.surrogate_key(zip_prefix) AS geography_key, zip_prefix,
             first(city ORDER BY location_rows DESC, city, state) AS city,
             first(state ORDER BY location_rows DESC, city, state) AS state,
             CAST(sum(sum_lat_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12 AS lat,
             CAST(sum(sum_lng_e12) AS DOUBLE) / CAST(sum(location_rows) AS DOUBLE) / 1e12 AS lng,
             sum(location_rows) AS location_rows
      FROM (
        SELECT zip_prefix, city, state, sum(location_rows) AS location_rows,
               sum(sum_lat_e12) AS sum_lat_e12, sum(sum_lng_e12) AS sum_lng_e12
        FROM core_state.geo_location_sums
        WHERE zip_prefix IN (SELECT zip_prefix FROM stg_geo_prefix)
        GROUP BY zip_prefix, city, state
      )
      GROUP BY zip_prefix
    ) s ON d.geography_key = s.geography_key
    WHEN MATCHED THEN UPDATE SET city = s.city, state = s.state, lat = s.lat, lng = s.lng, location_rows = s.location_rows
    WHEN NOT MATCHED THEN INSERT VALUES (s.geography_key, s.zip_prefix, s.city, s.state, s.lat, s.lng, s.location_rows);`,

  customersGeoRepoint: `
    UPDATE core.dim_customer SET geography_key = core.surrogate_key(zip_prefix)
    WHERE geography_key = 0 AND customer_key <> 0 AND zip_prefix IN (SELECT zip_prefix FROM stg_geo_prefix);`,
  sellersGeoRepoint: `
    UPDATE core.dim_seller SET geography_key = core.surrogate_key(zip_prefix)
    WHERE geography_key = 0 AND seller_key <> 0 AND zip_prefix IN (SELECT zip_prefix FROM stg_geo_prefix);`,

  category: `
    MERGE INTO core.dim_category d
    USING (SELECT core.surrogate_key(category_name_pt) AS category_key, * FROM stg_category) s
    ON d.category_key = s.category_key
    WHEN MATCHED THEN UPDATE SET category_name_pt = s.category_name_pt, category_name_en = s.category_name_en
    WHEN NOT MATCHED THEN INSERT VALUES (s.category_key, s.category_name_pt, s.category_name_en);`,
  productsCategoryRepoint: `
    UPDATE core.dim_product SET category_key = core.surrogate_key(category_name_pt)
    WHERE category_key = 0 AND product_key <> 0 AND category_name_pt IN (SELECT category_name_pt FROM stg_category);`,

  seller: `
    MERGE INTO core.dim_seller d
    USING (
      SELECT core.surrogate_key(s.seller_id) AS seller_key, s.*, COALESCE(g.geography_key, 0) AS geography_key
      FROM stg_seller s LEFT JOIN core.dim_geography g ON g.zip_prefix = s.zip_prefix AND g.geography_key <> 0
    ) s ON d.seller_key = s.seller_key
    WHEN MATCHED THEN UPDATE SET seller_id = s.seller_id, zip_prefix = s.zip_prefix, city = s.city, state = s.state, geography_key = s.geography_key
    WHEN NOT MATCHED THEN INSERT VALUES (s.seller_key, s.seller_id, s.zip_prefix, s.city, s.state, s.geography_key);`,
  itemsSellerRepoint: `
    UPDATE core.fact_order_items SET seller_key = core.surrogate_key(seller_id)
    WHERE seller_key = 0 AND seller_id IN (SELECT seller_id FROM stg_seller);`,

  product: `
    MERGE INTO core.dim_product d
    USING (
      SELECT core.surrogate_key(p.product_id) AS product_key, p.*, COALESCE(c.category_key, 0) AS category_key
      FROM stg_product p LEFT JOIN core.dim_category c ON c.category_name_pt = p.category_name_pt AND c.category_key <> 0
    ) s ON d.product_key = s.product_key
    WHEN MATCHED THEN UPDATE SET product_id = s.product_id, category_key = s.category_key, category_name_pt = s.category_name_pt,
      name_length = s.name_length, description_length = s.description_length, photos_qty = s.photos_qty,
      weight_g = s.weight_g, length_cm = s.length_cm, height_cm = s.height_cm, width_cm = s.width_cm
    WHEN NOT MATCHED THEN INSERT VALUES (s.product_key, s.product_id, s.category_key, s.category_name_pt, s.name_length,
      s.description_length, s.photos_qty, s.weight_g, s.length_cm, s.height_cm, s.width_cm);`,
  itemsProductRepoint: `
    UPDATE core.fact_order_items SET product_key = core.surrogate_key(product_id)
    WHERE product_key = 0 AND product_id IN (SELECT product_id FROM stg_product);`,

  customer: `
    MERGE INTO core.dim_customer d
    USING (
      SELECT core.surrogate_key(c.customer_id) AS customer_key, c.*, COALESCE(g.geography_key, 0) AS geography_key
      FROM stg_customer c LEFT JOIN core.dim_geography g ON g.zip_prefix = c.zip_prefix AND g.geography_key <> 0
    ) s ON d.customer_key = s.customer_key
    WHEN MATCHED THEN UPDATE SET customer_id = s.customer_id, customer_unique_id = s.customer_unique_id,
      zip_prefix = s.zip_prefix, city = s.city, state = s.state, geography_key = s.geography_key
    WHEN NOT MATCHED THEN INSERT VALUES (s.customer_key, s.customer_id, s.customer_unique_id, s.zip_prefix, s.city, s.state, s.geography_key);`,

  /**
   * A person erased (docs/personal-data.md): their customers' personal columns become the marker, and the
   * geography key (which names the zip prefix) the unknown member's. Runs after the batch's customer merge.
   */
  customerErasure: (customerIds: Iterable<string>): string => `
    UPDATE core.dim_customer SET zip_prefix = ${literal(ERASED)}, city = ${literal(ERASED)}, state = ${literal(ERASED)}, geography_key = 0
    WHERE customer_id IN (${[...customerIds].map(literal).join(', ')});`,

  /** Orders that named a customer before it was registered: re-merged (resolving the key) and their children rekeyed. */
  customerArrivals: `
    UPDATE stg_order s SET customer_id = COALESCE(s.customer_id, f.customer_id), customer_known = true, rekey = true
    FROM core.fact_orders f
    WHERE f.order_id = s.order_id AND f.customer_key = 0 AND f.customer_id IN (SELECT customer_id FROM stg_customer);
    INSERT INTO stg_order (order_id, customer_id, customer_known, status_rank, in_deliveries, is_new, rekey)
    SELECT order_id, customer_id, true, 0, false, false, true FROM core.fact_orders
    WHERE customer_key = 0 AND customer_id IN (SELECT customer_id FROM stg_customer)
      AND order_id NOT IN (SELECT order_id FROM stg_order);`,

  /** Orders projected before their OrderPlaced (cross-stream order): their children get the new keys. */
  lateOrderPlacements: `
    UPDATE stg_order SET rekey = true
    WHERE customer_id IS NOT NULL AND order_id IN (SELECT order_id FROM core.fact_orders WHERE customer_id IS NULL);`,

  /** Orders new to fact_orders (the projection knows which): a plain INSERT, no join with the fact table. */
  ordersInsert: `
    INSERT INTO core.fact_orders
    SELECT order_id, customer_id, customer_key, purchase_date_key, ${statusAt('status_rank')},
           purchased_at, approved_at, dispatched_at, delivered_at, estimated_delivery_at, 0, 0, 0, 0
    FROM (${orderSource('s.is_new')});`,

  /** Orders already projected: later non-null values win, the status by precedence (totals: see items/payments). */
  ordersMerge: `
    MERGE INTO core.fact_orders f
    USING (${orderSource('NOT s.is_new')}) s ON f.order_id = s.order_id
    WHEN MATCHED THEN UPDATE SET
      customer_id = COALESCE(s.customer_id, f.customer_id),
      customer_key = CASE WHEN s.customer_id IS NULL THEN f.customer_key ELSE s.customer_key END,
      purchase_date_key = CASE WHEN s.purchased_at IS NULL THEN f.purchase_date_key ELSE s.purchase_date_key END,
      order_status = ${statusAt(`greatest(s.status_rank, ${rankOf('f.order_status')})`)},
      purchased_at = COALESCE(s.purchased_at, f.purchased_at),
      approved_at = COALESCE(s.approved_at, f.approved_at),
      delivered_carrier_at = COALESCE(s.dispatched_at, f.delivered_carrier_at),
      delivered_customer_at = COALESCE(s.delivered_at, f.delivered_customer_at),
      estimated_delivery_at = COALESCE(s.estimated_delivery_at, f.estimated_delivery_at)
    WHEN NOT MATCHED THEN INSERT VALUES (
      s.order_id, s.customer_id, s.customer_key, s.purchase_date_key, ${statusAt('s.status_rank')},
      s.purchased_at, s.approved_at, s.dispatched_at, s.delivered_at, s.estimated_delivery_at, 0, 0, 0, 0);`,

  items: `
    MERGE INTO core.fact_order_items f
    USING (
      SELECT i.*, COALESCE(p.product_key, 0) AS product_key, COALESCE(sl.seller_key, 0) AS seller_key,
             ${customerKey('i')} AS customer_key
      FROM stg_item i
      LEFT JOIN core.dim_product p ON p.product_id = i.product_id AND p.product_key <> 0
      LEFT JOIN core.dim_seller sl ON sl.seller_id = i.seller_id AND sl.seller_key <> 0
    ) s ON f.order_id = s.order_id AND f.order_item_id = s.order_item_id
    WHEN MATCHED THEN UPDATE SET product_id = s.product_id, seller_id = s.seller_id, product_key = s.product_key,
      seller_key = s.seller_key, customer_key = s.customer_key, purchase_date_key = s.purchase_date_key,
      shipping_limit_at = s.shipping_limit_at, price = s.price, freight_value = s.freight_value
    WHEN NOT MATCHED THEN INSERT VALUES (s.order_id, s.order_item_id, s.product_id, s.seller_id, s.product_key, s.seller_key,
      s.customer_key, s.purchase_date_key, s.shipping_limit_at, s.price, s.freight_value);
    UPDATE core.fact_orders f SET item_count = a.item_count, items_value = a.items_value, freight_value = a.freight_value
    FROM (
      SELECT order_id, count(*) AS item_count, sum(price) AS items_value, sum(freight_value) AS freight_value
      FROM core.fact_order_items WHERE order_id IN (SELECT order_id FROM stg_item) GROUP BY order_id
    ) a WHERE f.order_id = a.order_id;`,

  payments: `
    MERGE INTO core.fact_payments f
    USING (
      SELECT p.*, ${customerKey('p')} AS customer_key
      FROM stg_payment p
    ) s ON f.order_id = s.order_id AND f.payment_sequential = s.payment_sequential
    WHEN MATCHED THEN UPDATE SET customer_key = s.customer_key, purchase_date_key = s.purchase_date_key,
      payment_type = s.payment_type, installments = s.installments, payment_value = s.payment_value
    WHEN NOT MATCHED THEN INSERT VALUES (s.order_id, s.payment_sequential, s.customer_key, s.purchase_date_key,
      s.payment_type, s.installments, s.payment_value);
    UPDATE core.fact_orders f SET payment_value = a.payment_value
    FROM (
      SELECT order_id, sum(payment_value) AS payment_value
      FROM core.fact_payments WHERE order_id IN (SELECT order_id FROM stg_payment) GROUP BY order_id
    ) a WHERE f.order_id = a.order_id;`,

  reviews: `
    MERGE INTO core.fact_reviews f
    USING (
      SELECT r.*, ${customerKey('r')} AS customer_key, core.date_key(r.created_at) AS created_date_key
      FROM stg_review r
    ) s ON f.review_id = s.review_id AND f.order_id = s.order_id
    WHEN MATCHED THEN UPDATE SET
      customer_key = s.customer_key,
      score = CASE WHEN s.submitted THEN s.score ELSE f.score END,
      has_comment = CASE WHEN s.submitted THEN s.has_comment ELSE f.has_comment END,
      created_date_key = CASE WHEN s.submitted THEN s.created_date_key ELSE f.created_date_key END,
      created_at = CASE WHEN s.submitted THEN s.created_at ELSE f.created_at END,
      answered_at = COALESCE(s.answered_at, f.answered_at)
    WHEN NOT MATCHED THEN INSERT VALUES (s.review_id, s.order_id, s.customer_key, s.score, s.has_comment,
      s.created_date_key, s.created_at, s.answered_at);`,

  /** Shipment facts of orders new to fact_orders: everything about them is in this batch. */
  deliveriesInsert: `
    INSERT INTO core.fact_deliveries
    SELECT order_id, customer_key, purchase_date_key, dispatched_at, delivered_at,
           COALESCE(delivery_estimated_at, estimated_delivery_at),
           date_diff('day', CAST(purchased_at AS DATE), CAST(delivered_at AS DATE)), on_time, delay_days
    FROM (${orderSource('s.is_new AND s.in_deliveries')});`,

  /** Projected orders with a shipment or delivery event, and delivered orders whose keys changed (late OrderPlaced or customer). */
  deliveriesMerge: `
    MERGE INTO core.fact_deliveries d
    USING (
      SELECT s.order_id, s.in_deliveries, s.delivery_estimated_at, s.on_time, s.delay_days,
             o.customer_key, o.purchase_date_key, o.purchased_at, o.delivered_carrier_at, o.delivered_customer_at,
             o.estimated_delivery_at,
             date_diff('day', CAST(o.purchased_at AS DATE), CAST(o.delivered_customer_at AS DATE)) AS delivery_days
      FROM stg_order s JOIN core.fact_orders o ON o.order_id = s.order_id
      WHERE NOT s.is_new AND (s.in_deliveries OR s.rekey)
    ) s ON d.order_id = s.order_id
    WHEN MATCHED THEN UPDATE SET
      customer_key = s.customer_key, purchase_date_key = s.purchase_date_key,
      dispatched_at = s.delivered_carrier_at, delivered_at = s.delivered_customer_at,
      estimated_delivery_at = COALESCE(s.delivery_estimated_at, d.estimated_delivery_at, s.estimated_delivery_at),
      delivery_days = s.delivery_days,
      on_time = COALESCE(s.on_time, d.on_time), delay_days = COALESCE(s.delay_days, d.delay_days)
    WHEN NOT MATCHED AND s.in_deliveries THEN INSERT VALUES (
      s.order_id, s.customer_key, s.purchase_date_key, s.delivered_carrier_at, s.delivered_customer_at,
      COALESCE(s.delivery_estimated_at, s.estimated_delivery_at), s.delivery_days, s.on_time, s.delay_days);`,

  /** Children of orders whose customer or purchase date changed after they were projected. */
  rekeyChildren: `
    UPDATE core.fact_order_items f SET customer_key = o.customer_key, purchase_date_key = o.purchase_date_key
    FROM core.fact_orders o WHERE f.order_id = o.order_id AND o.order_id IN (SELECT order_id FROM stg_order WHERE rekey);
    UPDATE core.fact_payments f SET customer_key = o.customer_key, purchase_date_key = o.purchase_date_key
    FROM core.fact_orders o WHERE f.order_id = o.order_id AND o.order_id IN (SELECT order_id FROM stg_order WHERE rekey);
    UPDATE core.fact_reviews f SET customer_key = o.customer_key
    FROM core.fact_orders o WHERE f.order_id = o.order_id AND o.order_id IN (SELECT order_id FROM stg_order WHERE rekey);`,
} as const;
