-- V002: the large dimensions and the facts lose their PRIMARY KEYs.
--
-- A key's ART index lives in memory whole (~25 bytes a row, ~120 MB at ten times the Olist dataset) and grows
-- with the data: the projector's memory would never be flat. Nothing needs them: every write merges by natural
-- key (MERGE INTO, one writer), and the quality rules check each table's grain. DuckDB cannot drop a
-- constraint, so each table is created again under a new name, filled, and renamed over the old one.

CREATE TABLE core.dim_geography_v2 (
  geography_key BIGINT NOT NULL,
  zip_prefix     VARCHAR(5) NOT NULL,  -- natural key
  city           VARCHAR,              -- most frequent (city, state) among the prefix's locations
  state          VARCHAR,
  lat            DOUBLE,               -- centroid: mean over the prefix's ZipCodeLocated events
  lng            DOUBLE,
  location_rows  BIGINT NOT NULL
);
INSERT INTO core.dim_geography_v2 SELECT * FROM core.dim_geography;
DROP TABLE core.dim_geography;
ALTER TABLE core.dim_geography_v2 RENAME TO dim_geography;

CREATE TABLE core.dim_customer_v2 (
  customer_key BIGINT NOT NULL,
  customer_id         VARCHAR NOT NULL,  -- natural key (one per order in Olist)
  customer_unique_id  VARCHAR NOT NULL,  -- the person
  zip_prefix          VARCHAR(5),
  city                VARCHAR,
  state               VARCHAR,
  geography_key       BIGINT NOT NULL
);
INSERT INTO core.dim_customer_v2 SELECT * FROM core.dim_customer;
DROP TABLE core.dim_customer;
ALTER TABLE core.dim_customer_v2 RENAME TO dim_customer;

CREATE TABLE core.dim_seller_v2 (
  seller_key BIGINT NOT NULL,
  seller_id      VARCHAR NOT NULL,
  zip_prefix     VARCHAR(5),
  city           VARCHAR,
  state          VARCHAR,
  geography_key  BIGINT NOT NULL
);
INSERT INTO core.dim_seller_v2 SELECT * FROM core.dim_seller;
DROP TABLE core.dim_seller;
ALTER TABLE core.dim_seller_v2 RENAME TO dim_seller;

CREATE TABLE core.dim_product_v2 (
  product_key BIGINT NOT NULL,
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
INSERT INTO core.dim_product_v2 SELECT * FROM core.dim_product;
DROP TABLE core.dim_product;
ALTER TABLE core.dim_product_v2 RENAME TO dim_product;

CREATE TABLE core.fact_order_items_v2 (
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
  freight_value      DECIMAL(18,2) NOT NULL
);
INSERT INTO core.fact_order_items_v2 SELECT * FROM core.fact_order_items;
DROP TABLE core.fact_order_items;
ALTER TABLE core.fact_order_items_v2 RENAME TO fact_order_items;

CREATE TABLE core.fact_orders_v2 (
  order_id               VARCHAR NOT NULL,
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
INSERT INTO core.fact_orders_v2 SELECT * FROM core.fact_orders;
DROP TABLE core.fact_orders;
ALTER TABLE core.fact_orders_v2 RENAME TO fact_orders;

CREATE TABLE core.fact_payments_v2 (
  order_id            VARCHAR NOT NULL,
  payment_sequential  INTEGER NOT NULL,
  customer_key        BIGINT NOT NULL,
  purchase_date_key   INTEGER NOT NULL,
  payment_type        VARCHAR NOT NULL,
  installments        INTEGER NOT NULL,
  payment_value       DECIMAL(18,2) NOT NULL
);
INSERT INTO core.fact_payments_v2 SELECT * FROM core.fact_payments;
DROP TABLE core.fact_payments;
ALTER TABLE core.fact_payments_v2 RENAME TO fact_payments;

CREATE TABLE core.fact_reviews_v2 (
  review_id         VARCHAR NOT NULL,
  order_id          VARCHAR NOT NULL,
  customer_key      BIGINT NOT NULL,
  score             INTEGER,           -- NULL only while a ReviewAnswered precedes its ReviewSubmitted
  has_comment       BOOLEAN,
  created_date_key  INTEGER NOT NULL,
  created_at        TIMESTAMP,
  answered_at       TIMESTAMP
);
INSERT INTO core.fact_reviews_v2 SELECT * FROM core.fact_reviews;
DROP TABLE core.fact_reviews;
ALTER TABLE core.fact_reviews_v2 RENAME TO fact_reviews;

CREATE TABLE core.fact_deliveries_v2 (
  order_id               VARCHAR NOT NULL,
  customer_key           BIGINT NOT NULL,
  purchase_date_key      INTEGER NOT NULL,
  dispatched_at          TIMESTAMP,
  delivered_at           TIMESTAMP,
  estimated_delivery_at  TIMESTAMP,
  delivery_days          INTEGER,      -- whole days, purchase date -> delivered date
  on_time                BOOLEAN,      -- from DeliveryCompleted (domain rule)
  delay_days             INTEGER       -- from DeliveryCompleted: delivered date - estimated date
);
INSERT INTO core.fact_deliveries_v2 SELECT * FROM core.fact_deliveries;
DROP TABLE core.fact_deliveries;
ALTER TABLE core.fact_deliveries_v2 RENAME TO fact_deliveries;
