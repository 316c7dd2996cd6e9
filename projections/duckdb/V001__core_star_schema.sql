-- V001: the `core` star schema (spec §8), built by the StarSchemaProjection (libs/analytics).
--
-- Conventions
--   * Surrogate keys are deterministic: core.surrogate_key(natural id) is the top 63 bits of the MD5 of
--     the natural id (a positive BIGINT). Replaying the same events through any event-store adapter, in
--     any batching, yields the same keys. Key 0 is each dimension's unknown member; facts point to it
--     until a late-arriving reference is projected, then are repointed.
--   * Money is DECIMAL(18,2) converted exactly from integer centavos; timestamps are TIMESTAMP (UTC).
--   * Facts keep the natural ids of their references (customer_id, product_id, seller_id) next to the
--     keys, so late-arriving references can be repointed and rows traced back to their events.
--   * `core_state` holds the projection's own bookkeeping (not for analysts).

CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS core_state;

CREATE OR REPLACE MACRO core.surrogate_key(natural_id) AS CAST(md5_number(natural_id) >> 65 AS BIGINT);

-- yyyymmdd of a timestamp's UTC calendar date; 0 (the unknown date) for NULL or a year outside 1900..2199,
-- the window core.dim_date may be extended to.
CREATE OR REPLACE MACRO core.date_key(ts) AS
  CASE WHEN year(ts) BETWEEN 1900 AND 2199 THEN CAST(year(ts) * 10000 + month(ts) * 100 + day(ts) AS INTEGER) ELSE 0 END;

-- Dimensions ------------------------------------------------------------------------------------------

CREATE TABLE core.dim_date (
  date_key     INTEGER PRIMARY KEY,  -- yyyymmdd; 0 = unknown
  date         DATE,
  year         INTEGER,
  quarter      INTEGER,
  month        INTEGER,
  month_name   VARCHAR,
  day          INTEGER,
  day_of_week  INTEGER,              -- ISO: 1 = Monday .. 7 = Sunday
  iso_week     INTEGER,
  month_start  DATE,
  is_weekend   BOOLEAN
);

CREATE TABLE core.dim_category (
  category_key      BIGINT PRIMARY KEY,
  category_name_pt  VARCHAR NOT NULL,  -- natural key (Olist's product_category_name)
  category_name_en  VARCHAR
);

CREATE TABLE core.dim_geography (
  geography_key  BIGINT PRIMARY KEY,
  zip_prefix     VARCHAR(5) NOT NULL,  -- natural key
  city           VARCHAR,              -- most frequent (city, state) among the prefix's locations
  state          VARCHAR,
  lat            DOUBLE,               -- centroid: mean over the prefix's ZipCodeLocated events
  lng            DOUBLE,
  location_rows  BIGINT NOT NULL
);

CREATE TABLE core.dim_customer (
  customer_key        BIGINT PRIMARY KEY,
  customer_id         VARCHAR NOT NULL,  -- natural key (one per order in Olist)
  customer_unique_id  VARCHAR NOT NULL,  -- the person
  zip_prefix          VARCHAR(5),
  city                VARCHAR,
  state               VARCHAR,
  geography_key       BIGINT NOT NULL
);

CREATE TABLE core.dim_seller (
  seller_key     BIGINT PRIMARY KEY,
  seller_id      VARCHAR NOT NULL,
  zip_prefix     VARCHAR(5),
  city           VARCHAR,
  state          VARCHAR,
  geography_key  BIGINT NOT NULL
);

CREATE TABLE core.dim_product (
  product_key         BIGINT PRIMARY KEY,
  product_id          VARCHAR NOT NULL,
  category_key        BIGINT NOT NULL,
  category_name_pt    VARCHAR,           -- as listed; NULL for products Olist lists without a category
  name_length         INTEGER,
  description_length  INTEGER,
  photos_qty          INTEGER,
  weight_g            INTEGER,
  length_cm           INTEGER,
  height_cm           INTEGER,
  width_cm            INTEGER
);

-- Facts -----------------------------------------------------------------------------------------------

CREATE TABLE core.fact_order_items (
  order_id           VARCHAR NOT NULL,
  order_item_id      INTEGER NOT NULL,
  product_id         VARCHAR NOT NULL,
  seller_id          VARCHAR NOT NULL,
  product_key        BIGINT NOT NULL,
  seller_key         BIGINT NOT NULL,
  customer_key       BIGINT NOT NULL,
  purchase_date_key  INTEGER NOT NULL,
  shipping_limit_at  TIMESTAMP,
  price              DECIMAL(18,2) NOT NULL,
  freight_value      DECIMAL(18,2) NOT NULL,
  PRIMARY KEY (order_id, order_item_id)
);

CREATE TABLE core.fact_orders (
  order_id               VARCHAR PRIMARY KEY,
  customer_id            VARCHAR,          -- NULL until OrderPlaced is projected
  customer_key           BIGINT NOT NULL,
  purchase_date_key      INTEGER NOT NULL,
  order_status           VARCHAR NOT NULL,
  purchased_at           TIMESTAMP,
  approved_at            TIMESTAMP,
  delivered_carrier_at   TIMESTAMP,
  delivered_customer_at  TIMESTAMP,
  estimated_delivery_at  TIMESTAMP,
  item_count             INTEGER NOT NULL,
  items_value            DECIMAL(18,2) NOT NULL,
  freight_value          DECIMAL(18,2) NOT NULL,
  payment_value          DECIMAL(18,2) NOT NULL
);

CREATE TABLE core.fact_payments (
  order_id            VARCHAR NOT NULL,
  payment_sequential  INTEGER NOT NULL,
  customer_key        BIGINT NOT NULL,
  purchase_date_key   INTEGER NOT NULL,
  payment_type        VARCHAR NOT NULL,
  installments        INTEGER NOT NULL,
  payment_value       DECIMAL(18,2) NOT NULL,
  PRIMARY KEY (order_id, payment_sequential)
);

CREATE TABLE core.fact_reviews (
  review_id         VARCHAR NOT NULL,
  order_id          VARCHAR NOT NULL,
  customer_key      BIGINT NOT NULL,
  score             INTEGER,           -- NULL only while a ReviewAnswered precedes its ReviewSubmitted
  has_comment       BOOLEAN,
  created_date_key  INTEGER NOT NULL,
  created_at        TIMESTAMP,
  answered_at       TIMESTAMP,
  PRIMARY KEY (review_id, order_id)
);

CREATE TABLE core.fact_deliveries (
  order_id               VARCHAR PRIMARY KEY,
  customer_key           BIGINT NOT NULL,
  purchase_date_key      INTEGER NOT NULL,
  dispatched_at          TIMESTAMP,
  delivered_at           TIMESTAMP,
  estimated_delivery_at  TIMESTAMP,
  delivery_days          INTEGER,      -- whole days, purchase date -> delivered date
  on_time                BOOLEAN,      -- from DeliveryCompleted (domain rule)
  delay_days             INTEGER       -- from DeliveryCompleted: delivered date - estimated date
);

-- Bookkeeping -----------------------------------------------------------------------------------------

CREATE TABLE core.projection_checkpoint (
  projection        VARCHAR PRIMARY KEY,
  checkpoint        VARCHAR,
  events_projected  BIGINT NOT NULL,
  updated_at        TIMESTAMP NOT NULL
);

-- Partial sums of ZipCodeLocated events per (prefix, city, state), appended once per batch (no key):
-- coordinates are summed exactly as integers scaled by 1e12 (HUGEINT), so the centroid does not depend
-- on event order or batching. dim_geography aggregates them per prefix.
CREATE TABLE core_state.geo_location_sums (
  zip_prefix     VARCHAR(5) NOT NULL,
  city           VARCHAR NOT NULL,
  state          VARCHAR NOT NULL,
  location_rows  BIGINT NOT NULL,
  sum_lat_e12    HUGEINT NOT NULL,
  sum_lng_e12    HUGEINT NOT NULL
);

-- Revisions projected per stream, for projections that accumulate (a re-delivered event is skipped):
-- append-only, one row per stream and batch; the last revision of a stream is max(revision).
CREATE TABLE core_state.stream_progress (
  stream_id  VARCHAR NOT NULL,
  revision   BIGINT NOT NULL
);
