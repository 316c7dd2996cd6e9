-- mart.monthly_revenue (v1): one row per purchase month that has revenue orders.
-- Revenue orders: core.fact_orders with a purchase timestamp and a status other than canceled/unavailable.
CREATE OR REPLACE TABLE mart.monthly_revenue AS
WITH revenue_orders AS (
  SELECT order_id, CAST(date_trunc('month', purchased_at) AS DATE) AS month
  FROM core.fact_orders
  WHERE purchased_at IS NOT NULL AND order_status NOT IN ('canceled', 'unavailable')
),
order_items AS (
  SELECT order_id, count(*) AS items, sum(price) AS gmv, sum(freight_value) AS freight
  FROM core.fact_order_items GROUP BY order_id
),
monthly AS (
  SELECT r.month,
         count(*) AS orders,
         CAST(coalesce(sum(i.items), 0) AS BIGINT) AS items,
         CAST(coalesce(sum(i.gmv), 0) AS DECIMAL(18,2)) AS gmv,
         CAST(coalesce(sum(i.freight), 0) AS DECIMAL(18,2)) AS freight
  FROM revenue_orders r LEFT JOIN order_items i USING (order_id)
  GROUP BY r.month
),
with_revenue AS (
  SELECT *, CAST(gmv + freight AS DECIMAL(18,2)) AS revenue FROM monthly
)
SELECT month,
       orders,
       items,
       gmv,
       freight,
       revenue,
       CAST(round(CAST(revenue AS DOUBLE) / orders, 2) AS DECIMAL(18,2)) AS aov,
       CASE
         WHEN lag(month) OVER w = CAST(month - INTERVAL 1 MONTH AS DATE) AND lag(revenue) OVER w > 0
         THEN (CAST(revenue AS DOUBLE) - CAST(lag(revenue) OVER w AS DOUBLE)) * 100 / CAST(lag(revenue) OVER w AS DOUBLE)
       END AS mom_growth
FROM with_revenue
WINDOW w AS (ORDER BY month)
ORDER BY month;

COMMENT ON TABLE mart.monthly_revenue IS 'Revenue per purchase month, over orders whose status is not canceled or unavailable (spec §6). One row per month with at least one such order.';
COMMENT ON COLUMN mart.monthly_revenue.month IS 'First day of the purchase month (date_trunc of the purchase timestamp, UTC)';
COMMENT ON COLUMN mart.monthly_revenue.orders IS 'Revenue orders purchased in the month (status not canceled/unavailable)';
COMMENT ON COLUMN mart.monthly_revenue.items IS 'Order items of those orders';
COMMENT ON COLUMN mart.monthly_revenue.gmv IS 'GMV in BRL: sum of item prices of the revenue orders';
COMMENT ON COLUMN mart.monthly_revenue.freight IS 'Freight in BRL: sum of item freight values of the revenue orders';
COMMENT ON COLUMN mart.monthly_revenue.revenue IS 'Revenue in BRL: GMV + freight';
COMMENT ON COLUMN mart.monthly_revenue.aov IS 'Average order value in BRL: revenue / orders (freight included), rounded to centavos';
COMMENT ON COLUMN mart.monthly_revenue.mom_growth IS 'Month-over-month revenue growth in percent (0-100 scale, may be negative or above 100): (revenue - previous month revenue) / previous month revenue * 100. NULL for the first month, or when the previous calendar month has no revenue';
