-- mart.category_performance (v1): items of revenue orders (status not canceled/unavailable) by English category name.
CREATE OR REPLACE TABLE mart.category_performance AS
WITH categorised AS (
  SELECT i.order_id, i.price, i.freight_value, coalesce(cat.category_name_en, 'unknown') AS category
  FROM core.fact_order_items i
  JOIN core.fact_orders o USING (order_id)
  LEFT JOIN core.dim_product p ON p.product_key = i.product_key
  LEFT JOIN core.dim_category cat ON cat.category_key = p.category_key
  WHERE o.order_status NOT IN ('canceled', 'unavailable')
),
sales AS (
  SELECT category,
         CAST(sum(price) AS DECIMAL(18,2)) AS gmv,
         CAST(sum(freight_value) AS DECIMAL(18,2)) AS freight,
         count(*) AS items,
         count(DISTINCT order_id) AS orders,
         CAST(round(avg(price), 2) AS DECIMAL(18,2)) AS avg_price
  FROM categorised GROUP BY category
),
reviews AS (
  SELECT co.category, count(*) AS reviews, avg(r.score) AS avg_review
  FROM (SELECT DISTINCT category, order_id FROM categorised) co JOIN core.fact_reviews r USING (order_id)
  WHERE r.score IS NOT NULL
  GROUP BY co.category
)
SELECT s.category, s.gmv, s.freight, s.items, s.orders, s.avg_price,
       coalesce(r.reviews, 0) AS reviews, r.avg_review,
       CAST(rank() OVER (ORDER BY s.gmv DESC) AS INTEGER) AS gmv_rank
FROM sales s LEFT JOIN reviews r USING (category)
ORDER BY gmv_rank, s.category;

COMMENT ON TABLE mart.category_performance IS 'Items of revenue orders (status not canceled/unavailable) by product category, English name.';
COMMENT ON COLUMN mart.category_performance.category IS 'English category name (product_category_name_english); ''unknown'' for products without a category or whose category/product is not registered';
COMMENT ON COLUMN mart.category_performance.gmv IS 'GMV in BRL: sum of item prices';
COMMENT ON COLUMN mart.category_performance.freight IS 'Freight in BRL of those items';
COMMENT ON COLUMN mart.category_performance.items IS 'Items sold';
COMMENT ON COLUMN mart.category_performance.orders IS 'Distinct orders with at least one item of the category';
COMMENT ON COLUMN mart.category_performance.avg_price IS 'Average item price in BRL, rounded to centavos';
COMMENT ON COLUMN mart.category_performance.reviews IS 'Scored reviews of orders containing the category (a review counts once per category of its order)';
COMMENT ON COLUMN mart.category_performance.avg_review IS 'Average review score (1-5) of those reviews';
COMMENT ON COLUMN mart.category_performance.gmv_rank IS 'rank() by GMV descending';
