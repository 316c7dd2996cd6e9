import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SOURCE_FILES, type SourceFileName } from '@olist/ingestion';

/** Small Olist-shaped files (a few rows each, with the usual quirks) for loader tests. */
export const FIXTURE_ROWS: Record<SourceFileName, string> = {
  categories: '\uFEFFproduct_category_name,product_category_name_english\r\nbeleza_saude,health_beauty\r\nartes,art\r\n',
  sellers: '"seller_id","seller_zip_code_prefix","seller_city","seller_state"\n"s1","13023",campinas,SP\ns2,"01046",sao paulo,SP\n',
  products:
    '"product_id","product_category_name","product_name_lenght","product_description_lenght","product_photos_qty","product_weight_g","product_length_cm","product_height_cm","product_width_cm"\n' +
    'p1,artes,40,287,1,225,16,10,14\np2,,,,,700,30,10,20\n',
  customers:
    '"customer_id","customer_unique_id","customer_zip_code_prefix","customer_city","customer_state"\n' +
    'c1,u1,"14409",franca,SP\nc2,u1,"09790",sao bernardo do campo,SP\n',
  geolocation:
    'geolocation_zip_code_prefix,geolocation_lat,geolocation_lng,geolocation_city,geolocation_state\r\n' +
    '1037,-23.54,-46.63,sao paulo,SP\r\n14409,-20.5,-47.4,franca,SP\r\n',
  orders:
    '"order_id","customer_id","order_status","order_purchase_timestamp","order_approved_at","order_delivered_carrier_date","order_delivered_customer_date","order_estimated_delivery_date"\n' +
    'o1,"c1",delivered,2017-10-02 10:56:33,2017-10-02 11:07:15,2017-10-04 19:55:00,2017-10-10 21:25:13,2017-10-18 00:00:00\n' +
    'o2,c2,canceled,2018-01-01 10:00:00,,,,2018-01-20 00:00:00\n' +
    'o3,c2,created,2018-02-01 10:00:00,,,,2018-02-20 00:00:00\n',
  order_items:
    '"order_id","order_item_id","product_id","seller_id","shipping_limit_date","price","freight_value"\n' +
    'o1,1,p1,s1,2017-10-06 11:07:15,58.90,13.29\no1,2,p2,s2,2017-10-06 11:07:15,10.00,1.00\no2,1,p1,s1\n',
  payments:
    '"order_id","payment_sequential","payment_type","payment_installments","payment_value"\n' +
    'o1,1,credit_card,8,99.33\no2,1,boleto,1,24.39\n',
  reviews:
    '"review_id","order_id","review_score","review_comment_title","review_comment_message","review_creation_date","review_answer_timestamp"\r\n' +
    'r1,o1,4,,,2018-01-18 00:00:00,2018-01-18 21:46:59\r\n' +
    'r2,o2,1,"Ruim","Não recebi, \"\"nada\"\"\r\nainda.\r\nPéssimo",2018-03-10 00:00:00,2018-03-11 03:05:13\r\n' +
    'r3,o3,5,,,2018-03-10 00:00:00,2018-03-11 03:05:13\r\n',
};

/** Rows per fixture file (header excluded). */
export const FIXTURE_COUNTS: Record<SourceFileName, number> = {
  categories: 2, sellers: 2, products: 2, customers: 2, geolocation: 2, orders: 3, order_items: 3, payments: 2, reviews: 3,
};

export const writeFixtureDir = async (
  dir: string,
  files: ReadonlyArray<SourceFileName> = SOURCE_FILES.map((f) => f.name),
  overrides: Partial<Record<SourceFileName, string>> = {},
): Promise<string> => {
  await mkdir(dir, { recursive: true });
  for (const f of SOURCE_FILES) {
    if (files.includes(f.name)) await writeFile(join(dir, f.fileName), overrides[f.name] ?? FIXTURE_ROWS[f.name]);
  }
  return dir;
};
