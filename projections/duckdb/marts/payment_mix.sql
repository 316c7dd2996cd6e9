-- mart.payment_mix (v1): payments of revenue orders (status not canceled/unavailable) by payment type.
CREATE OR REPLACE TABLE mart.payment_mix AS
WITH revenue_payments AS (
  SELECT p.order_id, p.payment_type, p.installments, p.payment_value
  FROM core.fact_payments p JOIN core.fact_orders o USING (order_id)
  WHERE o.order_status NOT IN ('canceled', 'unavailable')
),
by_type AS (
  SELECT payment_type, count(*) AS payments, count(DISTINCT order_id) AS orders,
         CAST(sum(payment_value) AS DECIMAL(18,2)) AS value, avg(installments) AS avg_installments
  FROM revenue_payments GROUP BY payment_type
)
SELECT payment_type,
       payments,
       orders,
       value,
       CAST(value AS DOUBLE) / nullif(CAST(sum(value) OVER () AS DOUBLE), 0) AS value_share,
       CAST(payments AS DOUBLE) / sum(payments) OVER () AS payments_share,
       avg_installments
FROM by_type
ORDER BY value DESC, payment_type;

COMMENT ON TABLE mart.payment_mix IS 'Payments of revenue orders (status not canceled/unavailable) by payment type.';
COMMENT ON COLUMN mart.payment_mix.payments IS 'Payment rows (an order paid in several parts counts each)';
COMMENT ON COLUMN mart.payment_mix.orders IS 'Distinct orders paid (partly) with the type';
COMMENT ON COLUMN mart.payment_mix.value IS 'Sum of payment values in BRL';
COMMENT ON COLUMN mart.payment_mix.value_share IS 'Share 0-1 of the total payment value';
COMMENT ON COLUMN mart.payment_mix.payments_share IS 'Share 0-1 of the payment rows';
COMMENT ON COLUMN mart.payment_mix.avg_installments IS 'Average installments per payment row';
