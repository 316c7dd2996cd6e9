-- mart.delivery_performance (v1): delivered orders by purchase month x customer state.
-- Delivered: core.fact_deliveries rows with a delivered-to-customer timestamp (any order status).
CREATE OR REPLACE TABLE mart.delivery_performance AS
WITH delivered AS (
  SELECT CAST(date_trunc('month', o.purchased_at) AS DATE) AS month,
         coalesce(c.state, 'unknown') AS customer_state,
         d.delivery_days, d.on_time, d.delay_days
  FROM core.fact_deliveries d
  JOIN core.fact_orders o USING (order_id)
  LEFT JOIN core.dim_customer c ON c.customer_key = o.customer_key
  WHERE d.delivered_at IS NOT NULL AND o.purchased_at IS NOT NULL
)
SELECT month,
       customer_state,
       count(*) AS delivered_orders,
       avg(delivery_days) AS avg_delivery_days,
       count(*) FILTER (WHERE on_time) * 100.0 / nullif(count(on_time), 0) AS on_time_pct,
       count(*) FILTER (WHERE NOT on_time) AS late_orders,
       avg(delay_days) FILTER (WHERE NOT on_time) AS avg_late_days
FROM delivered
GROUP BY month, customer_state
ORDER BY month, customer_state;

COMMENT ON TABLE mart.delivery_performance IS 'Orders delivered to the customer, by purchase month and customer state.';
COMMENT ON COLUMN mart.delivery_performance.month IS 'First day of the purchase month';
COMMENT ON COLUMN mart.delivery_performance.customer_state IS 'UF of the order''s customer (''unknown'' while the customer is not registered, ''[erased]'' once the person is erased)';
COMMENT ON COLUMN mart.delivery_performance.delivered_orders IS 'Orders with a delivered-to-customer date (any status)';
COMMENT ON COLUMN mart.delivery_performance.avg_delivery_days IS 'Average whole days from purchase date to delivered date';
COMMENT ON COLUMN mart.delivery_performance.on_time_pct IS 'Percent 0-100 delivered on time (date(delivered) <= date(estimated)), over deliveries with an estimate';
COMMENT ON COLUMN mart.delivery_performance.late_orders IS 'Deliveries after the estimated date';
COMMENT ON COLUMN mart.delivery_performance.avg_late_days IS 'Average days late (delivered date - estimated date) of the late deliveries; NULL when none was late';
