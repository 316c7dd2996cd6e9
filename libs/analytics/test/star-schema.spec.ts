import { surrogateKey as k } from '../src/index.js';
import { dateKey } from '../src/star-schema/calendar.js';
import { Harness } from './support/harness.js';
import { LOCATIONS, olistScenario } from './support/scenario.js';

const ts = (iso: string): Date => new Date(iso);

/** The centroid the projection computes: exact sums of coordinates scaled by 1e12, divided once. */
const centroid = (values: ReadonlyArray<number>): number =>
  Number(values.reduce((sum, v) => sum + BigInt(Math.round(v * 1e12)), 0n)) / values.length / 1e12;

describe('StarSchemaProjection: the core star schema from the Olist scenario', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create();
    await h.apply(olistScenario().events);
  });
  afterAll(() => h.close());

  it('dim_category: registered categories (translation corrected) and the unknown member', async () => {
    expect(await h.rows('SELECT * FROM core.dim_category ORDER BY category_name_pt')).toEqual([
      { category_key: k('bebes'), category_name_pt: 'bebes', category_name_en: 'babies' },
      { category_key: k('perfumaria'), category_name_pt: 'perfumaria', category_name_en: 'perfumery' },
      { category_key: 0n, category_name_pt: 'unknown', category_name_en: 'unknown' },
    ]);
  });

  it('dim_geography: centroid of the located rows, most frequent city (ties by name), unknown member', async () => {
    const z = LOCATIONS;
    expect(await h.rows('SELECT * FROM core.dim_geography ORDER BY zip_prefix')).toEqual([
      { geography_key: 0n, zip_prefix: '', city: 'unknown', state: 'unknown', lat: null, lng: null, location_rows: 0n },
      {
        geography_key: k('01046'),
        zip_prefix: '01046',
        city: 'sao paulo',
        state: 'SP',
        lat: centroid(z['01046'].map((r) => r.lat)),
        lng: centroid(z['01046'].map((r) => r.lng)),
        location_rows: 3n,
      },
      { geography_key: k('13023'), zip_prefix: '13023', city: 'barao geraldo', state: 'SP', lat: -22.91, lng: -47.07, location_rows: 2n },
      { geography_key: k('22790'), zip_prefix: '22790', city: 'rio de janeiro', state: 'RJ', lat: -23, lng: -43.4, location_rows: 1n },
    ]);
  });

  it('dim_customer: one row per customer_id (a person with two), geography resolved or unknown', async () => {
    expect(await h.rows('SELECT * FROM core.dim_customer ORDER BY customer_id')).toEqual([
      { customer_key: 0n, customer_id: '', customer_unique_id: '', zip_prefix: '', city: 'unknown', state: 'unknown', geography_key: 0n },
      { customer_key: k('c1'), customer_id: 'c1', customer_unique_id: 'u1', zip_prefix: '01046', city: 'sao paulo', state: 'SP', geography_key: k('01046') },
      { customer_key: k('c2'), customer_id: 'c2', customer_unique_id: 'u1', zip_prefix: '22790', city: 'rio de janeiro', state: 'RJ', geography_key: k('22790') },
      { customer_key: k('c3'), customer_id: 'c3', customer_unique_id: 'u2', zip_prefix: '99999', city: 'nowhere', state: 'AM', geography_key: 0n },
    ]);
  });

  it('dim_seller: the corrected address wins (SCD 1)', async () => {
    expect(await h.rows('SELECT * FROM core.dim_seller ORDER BY seller_id')).toEqual([
      { seller_key: 0n, seller_id: '', zip_prefix: '', city: 'unknown', state: 'unknown', geography_key: 0n },
      { seller_key: k('s1'), seller_id: 's1', zip_prefix: '13023', city: 'campinas', state: 'SP', geography_key: k('13023') },
      { seller_key: k('s2'), seller_id: 's2', zip_prefix: '13023', city: 'campinas', state: 'SP', geography_key: k('13023') },
    ]);
  });

  it('dim_product: category resolved, none (Olist lists no category), or not registered (unknown)', async () => {
    const dims = (nameLength: number | null, descriptionLength: number | null, photosQty: number | null, weightG: number | null, lengthCm: number | null, heightCm: number | null, widthCm: number | null) => ({
      name_length: nameLength,
      description_length: descriptionLength,
      photos_qty: photosQty,
      weight_g: weightG,
      length_cm: lengthCm,
      height_cm: heightCm,
      width_cm: widthCm,
    });
    expect(await h.rows('SELECT * FROM core.dim_product ORDER BY product_id')).toEqual([
      { product_key: 0n, product_id: '', category_key: 0n, category_name_pt: 'unknown', ...dims(null, null, null, null, null, null, null) },
      { product_key: k('p1'), product_id: 'p1', category_key: k('perfumaria'), category_name_pt: 'perfumaria', ...dims(40, 287, 1, 225, 16, 10, 14) },
      { product_key: k('p2'), product_id: 'p2', category_key: 0n, category_name_pt: null, ...dims(null, null, null, 300, 20, 10, 15) },
      { product_key: k('p3'), product_id: 'p3', category_key: k('bebes'), category_name_pt: 'bebes', ...dims(27, 261, 1, 371, 26, 4, 26) },
      { product_key: k('p4'), product_id: 'p4', category_key: 0n, category_name_pt: 'utilidades_domesticas', ...dims(50, 500, 2, 1000, 30, 20, 10) },
    ]);
  });

  it('dim_date: 2016-01-01 .. 2020-12-31 plus the unknown member', async () => {
    expect(await h.rows('SELECT count(*) AS days, min(date) AS first, max(date) AS last FROM core.dim_date WHERE date_key <> 0')).toEqual([
      { days: 1827n, first: '2016-01-01', last: '2020-12-31' },
    ]);
    expect(await h.rows('SELECT * FROM core.dim_date WHERE date_key IN (0, 20171231, 20180101, 20180215) ORDER BY date_key')).toEqual([
      { date_key: 0, date: null, year: null, quarter: null, month: null, month_name: 'unknown', day: null, day_of_week: null, iso_week: null, month_start: null, is_weekend: null },
      { date_key: 20171231, date: '2017-12-31', year: 2017, quarter: 4, month: 12, month_name: 'December', day: 31, day_of_week: 7, iso_week: 52, month_start: '2017-12-01', is_weekend: true },
      { date_key: 20180101, date: '2018-01-01', year: 2018, quarter: 1, month: 1, month_name: 'January', day: 1, day_of_week: 1, iso_week: 1, month_start: '2018-01-01', is_weekend: false },
      { date_key: 20180215, date: '2018-02-15', year: 2018, quarter: 1, month: 2, month_name: 'February', day: 15, day_of_week: 4, iso_week: 7, month_start: '2018-02-01', is_weekend: false },
    ]);
  });

  it('fact_orders: status from the events, totals from items and payments, exact money', async () => {
    const order = (o: Record<string, unknown>) => ({
      approved_at: null,
      delivered_carrier_at: null,
      delivered_customer_at: null,
      ...o,
    });
    expect(await h.rows('SELECT * FROM core.fact_orders ORDER BY order_id')).toEqual([
      order({
        order_id: 'o1', customer_id: 'c1', customer_key: k('c1'), purchase_date_key: 20171002, order_status: 'delivered',
        purchased_at: ts('2017-10-02T10:56:33Z'), approved_at: ts('2017-10-02T11:07:15Z'),
        delivered_carrier_at: ts('2017-10-04T19:55:00Z'), delivered_customer_at: ts('2017-10-10T21:25:13Z'),
        estimated_delivery_at: ts('2017-10-18T00:00:00Z'), item_count: 2, items_value: '108.80', freight_value: '23.29', payment_value: '132.09',
      }),
      order({
        order_id: 'o2', customer_id: 'c2', customer_key: k('c2'), purchase_date_key: 20180213, order_status: 'canceled',
        purchased_at: ts('2018-02-13T21:18:39Z'), approved_at: ts('2018-02-13T22:20:29Z'),
        estimated_delivery_at: ts('2018-03-05T00:00:00Z'), item_count: 1, items_value: '129.90', freight_value: '0.00', payment_value: '129.90',
      }),
      order({
        order_id: 'o3', customer_id: 'c3', customer_key: k('c3'), purchase_date_key: 20171231, order_status: 'delivered',
        purchased_at: ts('2017-12-31T23:30:00Z'), approved_at: ts('2018-01-01T00:10:00Z'),
        delivered_carrier_at: ts('2018-01-03T15:00:00Z'), delivered_customer_at: ts('2018-01-18T12:00:00Z'),
        estimated_delivery_at: ts('2018-01-15T00:00:00Z'), item_count: 1, items_value: '19.99', freight_value: '8.50', payment_value: '28.49',
      }),
      order({
        order_id: 'o4', customer_id: 'c1', customer_key: k('c1'), purchase_date_key: 20180801, order_status: 'shipped',
        purchased_at: ts('2018-08-01T09:00:00Z'), approved_at: ts('2018-08-01T09:30:00Z'),
        estimated_delivery_at: ts('2018-08-20T00:00:00Z'), item_count: 1, items_value: '58.90', freight_value: '13.29', payment_value: '72.19',
      }),
      order({
        order_id: 'o5', customer_id: 'c2', customer_key: k('c2'), purchase_date_key: 20180901, order_status: 'unavailable',
        purchased_at: ts('2018-09-01T12:00:00Z'), estimated_delivery_at: ts('2018-09-20T00:00:00Z'),
        item_count: 0, items_value: '0.00', freight_value: '0.00', payment_value: '0.00',
      }),
    ]);
  });

  it('fact_order_items: keys of product, seller, customer and purchase date', async () => {
    const item = (order_id: string, order_item_id: number, product_id: string, seller_id: string, customer: string, purchase_date_key: number, shipping: string, price: string, freight_value: string) => ({
      order_id, order_item_id, product_id, seller_id, product_key: k(product_id), seller_key: k(seller_id), customer_key: k(customer),
      purchase_date_key, shipping_limit_at: ts(shipping), price, freight_value,
    });
    expect(await h.rows('SELECT * FROM core.fact_order_items ORDER BY order_id, order_item_id')).toEqual([
      item('o1', 1, 'p1', 's1', 'c1', 20171002, '2017-10-06T11:07:15Z', '58.90', '13.29'),
      item('o1', 2, 'p3', 's2', 'c1', 20171002, '2017-10-06T11:07:15Z', '49.90', '10.00'),
      item('o2', 1, 'p2', 's1', 'c2', 20180213, '2018-02-19T22:20:29Z', '129.90', '0.00'),
      item('o3', 1, 'p4', 's2', 'c3', 20171231, '2018-01-05T00:10:00Z', '19.99', '8.50'),
      item('o4', 1, 'p1', 's1', 'c1', 20180801, '2018-08-07T09:30:00Z', '58.90', '13.29'),
    ]);
  });

  it('fact_payments: one row per payment, 0 installments kept', async () => {
    const payment = (order_id: string, payment_sequential: number, customer: string, purchase_date_key: number, payment_type: string, installments: number, payment_value: string) => ({
      order_id, payment_sequential, customer_key: k(customer), purchase_date_key, payment_type, installments, payment_value,
    });
    expect(await h.rows('SELECT * FROM core.fact_payments ORDER BY order_id, payment_sequential')).toEqual([
      payment('o1', 1, 'c1', 20171002, 'credit_card', 3, '100.00'),
      payment('o1', 2, 'c1', 20171002, 'voucher', 1, '32.09'),
      payment('o2', 1, 'c2', 20180213, 'boleto', 1, '129.90'),
      payment('o3', 1, 'c3', 20171231, 'credit_card', 0, '28.49'),
      payment('o4', 1, 'c1', 20180801, 'debit_card', 1, '72.19'),
    ]);
  });

  it('fact_reviews: a review id reused across orders is two rows; answers and comments', async () => {
    expect(await h.rows('SELECT * FROM core.fact_reviews ORDER BY review_id, order_id')).toEqual([
      { review_id: 'r1', order_id: 'o1', customer_key: k('c1'), score: 5, has_comment: true, created_date_key: 20171011, created_at: ts('2017-10-11T00:00:00Z'), answered_at: ts('2017-10-12T10:00:00Z') },
      { review_id: 'r1', order_id: 'o3', customer_key: k('c3'), score: 2, has_comment: false, created_date_key: 20180119, created_at: ts('2018-01-19T00:00:00Z'), answered_at: null },
      { review_id: 'r2', order_id: 'o2', customer_key: k('c2'), score: 1, has_comment: true, created_date_key: 20180220, created_at: ts('2018-02-20T00:00:00Z'), answered_at: null },
    ]);
  });

  it('fact_deliveries: on time, late (across the new year), and shipped without dates', async () => {
    expect(await h.rows('SELECT * FROM core.fact_deliveries ORDER BY order_id')).toEqual([
      {
        order_id: 'o1', customer_key: k('c1'), purchase_date_key: 20171002, dispatched_at: ts('2017-10-04T19:55:00Z'),
        delivered_at: ts('2017-10-10T21:25:13Z'), estimated_delivery_at: ts('2017-10-18T00:00:00Z'), delivery_days: 8, on_time: true, delay_days: -8,
      },
      {
        order_id: 'o3', customer_key: k('c3'), purchase_date_key: 20171231, dispatched_at: ts('2018-01-03T15:00:00Z'),
        delivered_at: ts('2018-01-18T12:00:00Z'), estimated_delivery_at: ts('2018-01-15T00:00:00Z'), delivery_days: 18, on_time: false, delay_days: 3,
      },
      {
        order_id: 'o4', customer_key: k('c1'), purchase_date_key: 20180801, dispatched_at: null,
        delivered_at: null, estimated_delivery_at: ts('2018-08-20T00:00:00Z'), delivery_days: null, on_time: null, delay_days: null,
      },
    ]);
  });

  it('checkpoint: every event counted, operational and unknown ones included', async () => {
    const events = olistScenario().events;
    expect(await h.rows('SELECT projection, checkpoint, events_projected FROM core.projection_checkpoint')).toEqual([
      { projection: 'core_star_schema', checkpoint: events.at(-1)!.position, events_projected: BigInt(events.length) },
    ]);
    expect(await h.projection.checkpoint()).toBe(events.at(-1)!.position);
    expect(await h.projection.eventsProjected()).toBe(events.length);
  });

  it('date keys: core.date_key in SQL equals the JS one used to key items, payments and reviews', async () => {
    const isos = ['2017-12-31T23:59:59.999Z', '2018-01-01T00:00:00.000Z', '2016-02-29T12:00:00.000Z', '1899-12-31T00:00:00.000Z', '2199-12-31T23:00:00.000Z', '2200-01-01T00:00:00.000Z'];
    const rows = await h.client.query<{ iso: string; key: number }>(
      `SELECT iso, core.date_key(CAST(iso AS TIMESTAMP)) AS key FROM (VALUES ${isos.map((iso) => `('${iso}')`).join(', ')}) t(iso) ORDER BY iso`,
    );
    expect(rows).toEqual([...isos].sort().map((iso) => ({ iso, key: dateKey(iso) })));
    expect(dateKey(null)).toBe(0);
    expect(dateKey('not a date')).toBe(0);
  });

  it('surrogate keys: core.surrogate_key in SQL equals surrogateKey in JS', async () => {
    const ids = ['c1', 'são paulo', '', 'e481f51cbdc54678b7cc49136f2d6af7'];
    const rows = await h.client.query<{ id: string; key: bigint }>(
      `SELECT id, core.surrogate_key(id) AS key FROM (VALUES ${ids.map((id) => `('${id}')`).join(', ')}) t(id) ORDER BY id`,
    );
    expect(rows).toEqual([...ids].sort().map((id) => ({ id, key: k(id) })));
    expect(rows.every((r) => r.key > 0n)).toBe(true);
  });
});
