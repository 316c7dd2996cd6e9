-- mart.customer_cohorts (v1): retention of customers (customer_unique_id) by first-order month.
-- Orders counted: revenue orders (status not canceled/unavailable) of a known customer.
CREATE OR REPLACE TABLE mart.customer_cohorts AS
WITH customer_orders AS (
  SELECT DISTINCT c.customer_unique_id, CAST(date_trunc('month', o.purchased_at) AS DATE) AS order_month
  FROM core.fact_orders o JOIN core.dim_customer c ON c.customer_key = o.customer_key
  WHERE o.customer_key <> 0 AND o.purchased_at IS NOT NULL AND o.order_status NOT IN ('canceled', 'unavailable')
),
cohorts AS (
  SELECT customer_unique_id, min(order_month) AS cohort_month FROM customer_orders GROUP BY customer_unique_id
),
sizes AS (
  SELECT cohort_month, count(*) AS cohort_size FROM cohorts GROUP BY cohort_month
),
activity AS (
  SELECT k.cohort_month, CAST(date_diff('month', k.cohort_month, co.order_month) AS INTEGER) AS months_since,
         count(DISTINCT co.customer_unique_id) AS active_customers
  FROM customer_orders co JOIN cohorts k USING (customer_unique_id)
  GROUP BY ALL
)
SELECT a.cohort_month,
       a.months_since,
       a.active_customers,
       s.cohort_size,
       CAST(a.active_customers AS DOUBLE) / s.cohort_size AS retention,
       CAST(a.active_customers AS DOUBLE) * 100 / s.cohort_size AS retention_pct
FROM activity a JOIN sizes s USING (cohort_month)
ORDER BY a.cohort_month, a.months_since;

COMMENT ON TABLE mart.customer_cohorts IS 'Customer cohorts by customer_unique_id: first revenue-order month x months since. Only (cohort, months_since) pairs with at least one active customer have a row.';
COMMENT ON COLUMN mart.customer_cohorts.cohort_month IS 'First day of the month of the customer''s first revenue order (status not canceled/unavailable)';
COMMENT ON COLUMN mart.customer_cohorts.months_since IS 'Calendar months from the cohort month to the activity month (0 = the cohort month itself)';
COMMENT ON COLUMN mart.customer_cohorts.active_customers IS 'Customers of the cohort with at least one revenue order in that month';
COMMENT ON COLUMN mart.customer_cohorts.cohort_size IS 'Customers whose first revenue order falls in the cohort month';
COMMENT ON COLUMN mart.customer_cohorts.retention IS 'Share 0-1: active_customers / cohort_size (1 at months_since 0)';
COMMENT ON COLUMN mart.customer_cohorts.retention_pct IS 'Percent 0-100: retention * 100';
