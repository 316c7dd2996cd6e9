-- mart.seller_scorecard (v1): one row per seller with items in revenue orders (status not canceled/unavailable).
CREATE OR REPLACE TABLE mart.seller_scorecard AS
WITH revenue_items AS (
  SELECT i.seller_id, i.order_id, i.price, i.freight_value, o.purchased_at, o.delivered_carrier_at
  FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
  WHERE o.order_status NOT IN ('canceled', 'unavailable')
),
seller_orders AS (
  SELECT DISTINCT seller_id, order_id, purchased_at, delivered_carrier_at FROM revenue_items
),
sales AS (
  SELECT seller_id,
         CAST(sum(price) AS DECIMAL(18,2)) AS gmv,
         CAST(sum(freight_value) AS DECIMAL(18,2)) AS freight,
         count(DISTINCT order_id) AS orders,
         count(*) AS items
  FROM revenue_items GROUP BY seller_id
),
deliveries AS (
  SELECT so.seller_id, count(*) AS delivered_orders,
         count(*) FILTER (WHERE d.on_time) * 100.0 / count(*) AS on_time_pct
  FROM seller_orders so JOIN core.fact_deliveries d USING (order_id)
  WHERE d.delivered_at IS NOT NULL AND d.on_time IS NOT NULL
  GROUP BY so.seller_id
),
reviews AS (
  SELECT so.seller_id, count(*) AS reviews, avg(r.score) AS avg_review
  FROM seller_orders so JOIN core.fact_reviews r USING (order_id)
  WHERE r.score IS NOT NULL
  GROUP BY so.seller_id
),
carrier AS (
  SELECT seller_id, avg(date_diff('day', CAST(purchased_at AS DATE), CAST(delivered_carrier_at AS DATE))) AS avg_days_to_carrier
  FROM seller_orders
  WHERE purchased_at IS NOT NULL AND delivered_carrier_at IS NOT NULL
  GROUP BY seller_id
)
SELECT s.seller_id,
       ds.city AS seller_city,
       ds.state AS seller_state,
       s.gmv,
       s.freight,
       s.orders,
       s.items,
       coalesce(d.delivered_orders, 0) AS delivered_orders,
       d.on_time_pct,
       coalesce(r.reviews, 0) AS reviews,
       r.avg_review,
       c.avg_days_to_carrier,
       CAST(rank() OVER (ORDER BY s.gmv DESC) AS INTEGER) AS gmv_rank
FROM sales s
LEFT JOIN core.dim_seller ds ON ds.seller_id = s.seller_id AND ds.seller_key <> 0
LEFT JOIN deliveries d ON d.seller_id = s.seller_id
LEFT JOIN reviews r ON r.seller_id = s.seller_id
LEFT JOIN carrier c ON c.seller_id = s.seller_id
ORDER BY gmv_rank, s.seller_id;

COMMENT ON TABLE mart.seller_scorecard IS 'One row per seller with items in revenue orders (status not canceled/unavailable).';
COMMENT ON COLUMN mart.seller_scorecard.gmv IS 'GMV in BRL: sum of the seller''s item prices in revenue orders';
COMMENT ON COLUMN mart.seller_scorecard.freight IS 'Freight in BRL of those items';
COMMENT ON COLUMN mart.seller_scorecard.orders IS 'Distinct revenue orders with at least one item of the seller';
COMMENT ON COLUMN mart.seller_scorecard.items IS 'Items of the seller in revenue orders';
COMMENT ON COLUMN mart.seller_scorecard.delivered_orders IS 'Those orders delivered to the customer with a known on-time flag';
COMMENT ON COLUMN mart.seller_scorecard.on_time_pct IS 'Percent 0-100 of delivered_orders delivered on time (date(delivered) <= date(estimated)); NULL without deliveries';
COMMENT ON COLUMN mart.seller_scorecard.reviews IS 'Scored reviews of the seller''s revenue orders';
COMMENT ON COLUMN mart.seller_scorecard.avg_review IS 'Average review score (1-5) of those reviews; NULL without reviews';
COMMENT ON COLUMN mart.seller_scorecard.avg_days_to_carrier IS 'Average whole days from purchase date to carrier hand-over date, over the seller''s orders with a carrier date';
COMMENT ON COLUMN mart.seller_scorecard.gmv_rank IS 'rank() by GMV descending (1 = highest GMV; equal GMV, equal rank)';
