-- mart.review_vs_delivery (v1): review scores by delivery delay bucket (delivered date - estimated date).
-- Every bucket has a row (reviews 0, avg_score NULL when empty), in bucket_order.
CREATE OR REPLACE TABLE mart.review_vs_delivery AS
WITH buckets (bucket_order, delay_bucket, min_delay_days, max_delay_days) AS (
  VALUES (1, 'early 15+ days', NULL, -15),
         (2, 'early 8-14 days', -14, -8),
         (3, 'early 1-7 days', -7, -1),
         (4, 'on the estimated day', 0, 0),
         (5, 'late 1-3 days', 1, 3),
         (6, 'late 4-7 days', 4, 7),
         (7, 'late 8-14 days', 8, 14),
         (8, 'late 15+ days', 15, NULL)
),
reviewed AS (
  SELECT r.score, d.delay_days
  FROM core.fact_reviews r JOIN core.fact_deliveries d USING (order_id)
  WHERE r.score IS NOT NULL AND d.delivered_at IS NOT NULL AND d.delay_days IS NOT NULL
)
SELECT b.delay_bucket,
       CAST(b.bucket_order AS INTEGER) AS bucket_order,
       CAST(b.min_delay_days AS INTEGER) AS min_delay_days,
       CAST(b.max_delay_days AS INTEGER) AS max_delay_days,
       count(rv.score) AS reviews,
       avg(rv.score) AS avg_score,
       count(rv.score) FILTER (WHERE rv.score <= 2) * 100.0 / nullif(count(rv.score), 0) AS low_score_pct
FROM buckets b
LEFT JOIN reviewed rv
  ON (b.min_delay_days IS NULL OR rv.delay_days >= b.min_delay_days)
 AND (b.max_delay_days IS NULL OR rv.delay_days <= b.max_delay_days)
GROUP BY ALL
ORDER BY bucket_order;

COMMENT ON TABLE mart.review_vs_delivery IS 'Scored reviews of delivered orders by delivery delay (delivered date - estimated date, in days; negative = early).';
COMMENT ON COLUMN mart.review_vs_delivery.delay_bucket IS 'Delay range label; bounds in min_delay_days..max_delay_days (NULL = open)';
COMMENT ON COLUMN mart.review_vs_delivery.reviews IS 'Scored reviews of delivered orders whose delay falls in the bucket';
COMMENT ON COLUMN mart.review_vs_delivery.avg_score IS 'Average review score (1-5); NULL for an empty bucket';
COMMENT ON COLUMN mart.review_vs_delivery.low_score_pct IS 'Percent 0-100 of those reviews scoring 1 or 2';
