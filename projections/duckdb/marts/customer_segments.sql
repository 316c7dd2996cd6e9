-- mart.customer_segments (v1): RFM quintiles and the seed segment rule (spec §6) per customer_unique_id.
-- As-of date: the date of the latest purchase in the data (any status), never the wall clock.
CREATE OR REPLACE TABLE mart.customer_segments AS
WITH as_of AS (
  SELECT CAST(max(purchased_at) AS DATE) AS as_of_date FROM core.fact_orders
),
order_totals AS (
  SELECT order_id, sum(price) + sum(freight_value) AS revenue FROM core.fact_order_items GROUP BY order_id
),
customers AS (
  SELECT c.customer_unique_id,
         count(*) AS frequency,
         CAST(coalesce(sum(t.revenue), 0) AS DECIMAL(18,2)) AS monetary,
         CAST(min(o.purchased_at) AS DATE) AS first_purchase_date,
         CAST(max(o.purchased_at) AS DATE) AS last_purchase_date
  FROM core.fact_orders o
  JOIN core.dim_customer c ON c.customer_key = o.customer_key
  LEFT JOIN order_totals t ON t.order_id = o.order_id
  WHERE o.customer_key <> 0 AND o.purchased_at IS NOT NULL AND o.order_status NOT IN ('canceled', 'unavailable')
  GROUP BY c.customer_unique_id
),
measured AS (
  SELECT cu.*, a.as_of_date, CAST(date_diff('day', cu.last_purchase_date, a.as_of_date) AS INTEGER) AS recency_days
  FROM customers cu CROSS JOIN as_of a
)
SELECT customer_unique_id,
       as_of_date,
       first_purchase_date,
       last_purchase_date,
       recency_days,
       frequency,
       monetary,
       CAST(ntile(5) OVER (ORDER BY recency_days DESC, customer_unique_id) AS INTEGER) AS r_score,
       CAST(ntile(5) OVER (ORDER BY frequency, customer_unique_id) AS INTEGER) AS f_score,
       CAST(ntile(5) OVER (ORDER BY monetary, customer_unique_id) AS INTEGER) AS m_score,
       CASE
         WHEN recency_days > 180 THEN 'CHURNED'
         WHEN frequency > 5 AND monetary > 1000 THEN 'VIP'
         WHEN frequency > 5 THEN 'LOYAL'
         WHEN frequency = 1 THEN 'ONE_TIME'
         ELSE 'REGULAR'
       END AS segment
FROM measured
ORDER BY customer_unique_id;

COMMENT ON TABLE mart.customer_segments IS 'One row per customer_unique_id with at least one revenue order (status not canceled/unavailable): RFM measures, quintile scores and the seed segment.';
COMMENT ON COLUMN mart.customer_segments.as_of_date IS 'Date of the latest purchase in the data (any status): the reference date of recency';
COMMENT ON COLUMN mart.customer_segments.recency_days IS 'Days from the customer''s last revenue-order purchase date to the as-of date';
COMMENT ON COLUMN mart.customer_segments.frequency IS 'Revenue orders of the customer';
COMMENT ON COLUMN mart.customer_segments.monetary IS 'BRL spent: item prices + freight of the customer''s revenue orders';
COMMENT ON COLUMN mart.customer_segments.r_score IS 'Recency quintile 1-5 (ntile(5)); 5 = most recent. Ties broken by customer_unique_id';
COMMENT ON COLUMN mart.customer_segments.f_score IS 'Frequency quintile 1-5 (ntile(5)); 5 = most orders. Ties broken by customer_unique_id';
COMMENT ON COLUMN mart.customer_segments.m_score IS 'Monetary quintile 1-5 (ntile(5)); 5 = highest spend. Ties broken by customer_unique_id';
COMMENT ON COLUMN mart.customer_segments.segment IS 'First matching rule: CHURNED (no order in the 180 days before the as-of date: recency_days > 180), VIP (>5 orders and >1000 BRL), LOYAL (>5 orders), ONE_TIME (1 order), REGULAR (>1 order)';
