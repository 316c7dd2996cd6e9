import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectionConflictError, StarSchemaProjection, contentHashes, surrogateKey as k, tableCounts } from '../src/index.js';
import { EventLog, checkpointAt, lastCheckpoint } from './support/events.js';
import { Harness } from './support/harness.js';
import { item, olistScenario } from './support/scenario.js';

const placed = (log: EventLog, orderId: string, customerId: string, purchasedAt = '2018-03-01T10:00:00.000Z') =>
  log.add(`order-${orderId}`, 'OrderPlaced', { orderId, customerId, purchasedAt, estimatedDeliveryAt: '2018-03-20T00:00:00.000Z' });

describe('StarSchemaProjection behaviour', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.close());

  it('points an item to the unknown product until the product is listed, then repoints it', async () => {
    const events = olistScenario().events;
    const listing = events.findIndex((e) => e.type === 'ProductListed' && (e.data as { productId: string }).productId === 'p4');
    await h.apply(events.slice(0, listing));
    expect(await h.rows(`SELECT product_id, product_key FROM core.fact_order_items WHERE order_id = 'o3'`)).toEqual([
      { product_id: 'p4', product_key: 0n },
    ]);
    await h.apply(events.slice(listing));
    expect(await h.rows(`SELECT product_id, product_key FROM core.fact_order_items WHERE order_id = 'o3'`)).toEqual([
      { product_id: 'p4', product_key: k('p4') },
    ]);
  });

  it('repoints every fact of an order whose customer registers late, and the customer to its late zip', async () => {
    const log = new EventLog();
    placed(log, 'o9', 'c9');
    log.add('order-o9', 'OrderItemAdded', item('o9', 1, 'p9', 's9', '2018-03-05T00:00:00.000Z', 1000, 100));
    log.add('order-o9', 'PaymentReceived', { orderId: 'o9', paymentSequential: 1, paymentType: 'boleto', installments: 1, value: 1100 });
    log.add('shipment-o9', 'ShipmentDispatched', { orderId: 'o9', dispatchedAt: '2018-03-02T00:00:00.000Z' });
    log.add('review-r9', 'ReviewSubmitted', { reviewId: 'r9', orderId: 'o9', score: 4, commentTitle: null, commentMessage: null, createdAt: '2018-03-10T00:00:00.000Z' });
    await h.apply(log.events);
    const keys = `
      SELECT 'orders' AS t, customer_key FROM core.fact_orders UNION ALL
      SELECT 'items', customer_key FROM core.fact_order_items UNION ALL
      SELECT 'payments', customer_key FROM core.fact_payments UNION ALL
      SELECT 'reviews', customer_key FROM core.fact_reviews UNION ALL
      SELECT 'deliveries', customer_key FROM core.fact_deliveries ORDER BY t`;
    expect((await h.rows<{ customer_key: bigint }>(keys)).map((r) => r.customer_key)).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(await h.rows(`SELECT product_key, seller_key FROM core.fact_order_items`)).toEqual([{ product_key: 0n, seller_key: 0n }]);

    const more = new EventLog();
    for (let i = 0; i < log.events.length; i++) more.add('filler', 'Noise', {}); // positions after the first batch
    more.add('customer-u9', 'CustomerRegistered', { customerUniqueId: 'u9', customerId: 'c9', zipPrefix: '04001', city: 'sao paulo', state: 'SP' });
    more.add('seller-s9', 'SellerRegistered', { sellerId: 's9', zipPrefix: '04001', city: 'sao paulo', state: 'SP' });
    await h.apply(more.events);
    expect((await h.rows<{ customer_key: bigint }>(keys)).map((r) => r.customer_key)).toEqual(Array(5).fill(k('c9')));
    expect(await h.rows(`SELECT product_key, seller_key FROM core.fact_order_items`)).toEqual([{ product_key: 0n, seller_key: k('s9') }]);
    expect(await h.rows(`SELECT geography_key FROM core.dim_customer WHERE customer_id = 'c9'`)).toEqual([{ geography_key: 0n }]);

    const zip = new EventLog();
    for (let i = 0; i < more.events.length; i++) zip.add('filler', 'Noise', {});
    zip.add('zip-04001', 'ZipCodeLocated', { zipPrefix: '04001', locations: [{ lat: -23.58, lng: -46.64, city: 'sao paulo', state: 'SP' }] });
    await h.apply(zip.events);
    expect(await h.rows(`SELECT geography_key FROM core.dim_customer WHERE customer_id = 'c9' UNION ALL SELECT geography_key FROM core.dim_seller WHERE seller_id = 's9'`)).toEqual([
      { geography_key: k('04001') },
      { geography_key: k('04001') },
    ]);
  });

  it('repoints a product to its category when the category registers late', async () => {
    const log = new EventLog();
    log.add('product-p7', 'ProductListed', { productId: 'p7', category: 'brinquedos', nameLength: 1, descriptionLength: 1, photosQty: 1, weightG: 1, lengthCm: 1, heightCm: 1, widthCm: 1 });
    await h.apply(log.events);
    expect(await h.rows(`SELECT category_key, category_name_pt FROM core.dim_product WHERE product_id = 'p7'`)).toEqual([{ category_key: 0n, category_name_pt: 'brinquedos' }]);
    log.add('category-brinquedos', 'CategoryRegistered', { category: 'brinquedos', categoryNameEn: 'toys' });
    await h.apply(log.events.slice(1));
    expect(await h.rows(`SELECT category_key FROM core.dim_product WHERE product_id = 'p7'`)).toEqual([{ category_key: k('brinquedos') }]);
  });

  it('overwrites dimension rows with corrections (SCD 1), keeping their surrogate keys', async () => {
    const events = olistScenario().events;
    const corrections = events.findIndex((e) => e.type === 'CategoryTranslationCorrected');
    await h.apply(events.slice(0, corrections));
    expect(await h.rows(`SELECT seller_key, zip_prefix, city, geography_key FROM core.dim_seller WHERE seller_id = 's2'`)).toEqual([
      { seller_key: k('s2'), zip_prefix: '01046', city: 'sao paulo', geography_key: k('01046') },
    ]);
    expect(await h.rows(`SELECT category_name_en FROM core.dim_category WHERE category_name_pt = 'bebes'`)).toEqual([{ category_name_en: 'baby' }]);
    await h.apply(events.slice(corrections));
    expect(await h.rows(`SELECT seller_key, zip_prefix, city, geography_key FROM core.dim_seller WHERE seller_id = 's2'`)).toEqual([
      { seller_key: k('s2'), zip_prefix: '13023', city: 'campinas', geography_key: k('13023') },
    ]);
    expect(await h.rows(`SELECT category_key, category_name_en FROM core.dim_category WHERE category_name_pt = 'bebes'`)).toEqual([
      { category_key: k('bebes'), category_name_en: 'babies' },
    ]);
    // Facts keep pointing at the same (deterministic) keys.
    expect(await h.rows(`SELECT DISTINCT seller_key FROM core.fact_order_items WHERE seller_id = 's2'`)).toEqual([{ seller_key: k('s2') }]);
  });

  it('derives the order status from its events whatever order they arrive in', async () => {
    const log = new EventLog();
    // Shipment streams are separate from order streams: their events may come first.
    log.add('shipment-a', 'DeliveryCompleted', { orderId: 'a', deliveredAt: '2018-03-09T00:00:00.000Z', estimatedDeliveryAt: '2018-03-20T00:00:00.000Z', onTime: true, delayDays: -11 });
    log.add('shipment-a', 'ShipmentDispatched', { orderId: 'a', dispatchedAt: '2018-03-03T00:00:00.000Z' });
    log.add('order-b', 'OrderCancelled', { orderId: 'b' });
    log.add('shipment-b', 'DeliveryCompleted', { orderId: 'b', deliveredAt: null, estimatedDeliveryAt: null, onTime: null, delayDays: null });
    placed(log, 'c', 'cx');
    log.add('order-c', 'OrderMarkedUnavailable', { orderId: 'c' });
    log.add('order-c', 'OrderApproved', { orderId: 'c', approvedAt: '2018-03-01T11:00:00.000Z' });
    placed(log, 'd', 'cx');
    log.add('order-d', 'OrderInvoiced', { orderId: 'd' });
    log.add('order-d', 'OrderApproved', { orderId: 'd', approvedAt: '2018-03-01T11:00:00.000Z' });
    placed(log, 'e', 'cx');
    log.add('order-e', 'OrderProcessingStarted', { orderId: 'e' });
    placed(log, 'f', 'cx');
    placed(log, 'a', 'cx'); // late placement
    await h.applyIn(log.events, 1);
    expect(await h.rows('SELECT order_id, order_status FROM core.fact_orders ORDER BY order_id')).toEqual([
      { order_id: 'a', order_status: 'delivered' },
      { order_id: 'b', order_status: 'canceled' },
      { order_id: 'c', order_status: 'unavailable' },
      { order_id: 'd', order_status: 'invoiced' },
      { order_id: 'e', order_status: 'processing' },
      { order_id: 'f', order_status: 'created' },
    ]);
    // The late OrderPlaced gave the delivery its purchase date, estimate fallback and duration.
    expect(await h.rows(`SELECT purchase_date_key, delivery_days, estimated_delivery_at, on_time FROM core.fact_deliveries WHERE order_id = 'a'`)).toEqual([
      { purchase_date_key: 20180301, delivery_days: 8, estimated_delivery_at: new Date('2018-03-20T00:00:00Z'), on_time: true },
    ]);
  });

  it('keeps order totals right as items and payments arrive over several batches', async () => {
    const log = new EventLog();
    placed(log, 'o', 'c');
    log.add('order-o', 'OrderItemAdded', item('o', 1, 'p', 's', '2018-03-05T00:00:00.000Z', 1000, 150));
    log.add('order-o', 'PaymentReceived', { orderId: 'o', paymentSequential: 1, paymentType: 'voucher', installments: 1, value: 500 });
    log.add('order-o', 'OrderItemAdded', item('o', 2, 'p', 's', '2018-03-05T00:00:00.000Z', 2001, 0));
    log.add('order-o', 'PaymentReceived', { orderId: 'o', paymentSequential: 2, paymentType: 'credit_card', installments: 4, value: 2651 });
    await h.applyIn(log.events, 2, 1);
    const totals = `SELECT item_count, items_value, freight_value, payment_value FROM core.fact_orders`;
    expect(await h.rows(totals)).toEqual([{ item_count: 2, items_value: '30.01', freight_value: '1.50', payment_value: '31.51' }]);
    // The same item delivered again (e.g. by another adapter's replay) is not counted twice.
    const again = new EventLog();
    for (let i = 0; i < log.events.length; i++) again.add('filler', 'Noise', {});
    again.add('order-o', 'OrderItemAdded', item('o', 2, 'p', 's', '2018-03-05T00:00:00.000Z', 2001, 0));
    await h.apply(again.events.slice(log.events.length));
    expect(await h.rows(totals)).toEqual([{ item_count: 2, items_value: '30.01', freight_value: '1.50', payment_value: '31.51' }]);
    expect(await h.rows('SELECT count(*) AS n FROM core.fact_order_items')).toEqual([{ n: 2n }]);
  });

  it('ignores operational and unknown events, but advances the checkpoint past them', async () => {
    const log = new EventLog();
    log.add('pipeline_run-r', 'PipelineRunStarted', { runId: 'r', source: 'x', startedAt: '2024-01-01T00:00:00.000Z' });
    log.add('pipeline_run-r', 'QualityCheckRecorded', { runId: 'r' });
    log.add('x-1', 'SomethingNobodyKnows', { orderId: 'o1' });
    const before = await h.hashes();
    await h.apply(log.events);
    expect(await h.hashes()).toEqual(before);
    expect(await h.projection.checkpoint()).toBe(lastCheckpoint(log.events));
    expect(await h.projection.eventsProjected()).toBe(3);
  });

  it('is a no-op for a batch at or below the stored checkpoint, and idempotent for re-delivered events', async () => {
    const events = olistScenario().events;
    await h.apply(events);
    const once = await h.hashes();
    await h.apply(events); // the same batch again
    await h.apply(events.slice(0, 10)); // an older one
    expect(await h.hashes()).toEqual(once);
    expect(await h.projection.eventsProjected()).toBe(events.length);

    // The same events delivered again at later positions change no row either.
    const replayed = events.map((e, i) => ({ ...e, position: checkpointAt(events.length + 1 + i) }));
    await h.apply(replayed);
    expect(await h.hashes()).toEqual(once);
  });

  it('produces identical content whatever the batching (one event per batch, all at once, mixed)', async () => {
    const events = olistScenario().events;
    await h.apply(events);
    const allAtOnce = await h.hashes();
    for (const sizes of [[1], [7, 3, 11], [2, 40]]) {
      const other = await Harness.create();
      try {
        await other.applyIn(events, ...sizes);
        expect(await other.hashes()).toEqual(allAtOnce);
      } finally {
        other.close();
      }
    }
  });

  it('produces identical content when its caches of known orders and customers hold one entry each (every other reference looked up)', async () => {
    const events = olistScenario().events;
    await h.apply(events);
    const tiny = await Harness.create({ referenceCacheEntries: 1 });
    try {
      const half = Math.floor(events.length / 2);
      await tiny.applyIn(events.slice(0, half), 3, 1, 5);
      await tiny.reopen(); // then with cold caches after a restart
      await tiny.applyIn(events.slice(half), 2, 7);
      expect(await tiny.hashes()).toEqual(await h.hashes());
    } finally {
      tiny.close();
    }
  });

  it('keys a stored order\'s children by its customer only once that customer is in dim_customer, with caches of one entry', async () => {
    // o1's customer never registers, o2's registers late; each child comes one batch later, after another order's event evicted o1/o2 from the cache.
    const log = new EventLog();
    log.add('customer-u1', 'CustomerRegistered', { customerUniqueId: 'u1', customerId: 'c1', zipPrefix: '01046', city: 'sao paulo', state: 'SP' });
    log.add('order-o1', 'OrderPlaced', { orderId: 'o1', customerId: 'c-missing', purchasedAt: '2018-01-02T10:00:00.000Z', estimatedDeliveryAt: '2018-01-20T00:00:00.000Z' });
    log.add('order-o2', 'OrderPlaced', { orderId: 'o2', customerId: 'c-late', purchasedAt: '2018-01-03T10:00:00.000Z', estimatedDeliveryAt: '2018-01-20T00:00:00.000Z' });
    log.add('order-o3', 'OrderPlaced', { orderId: 'o3', customerId: 'c1', purchasedAt: '2018-01-04T10:00:00.000Z', estimatedDeliveryAt: '2018-01-20T00:00:00.000Z' });
    log.add('order-o1', 'OrderItemAdded', item('o1', 1, 'p1', 's1', '2018-01-05T00:00:00.000Z', 1000, 100));
    log.add('order-o3', 'OrderItemAdded', item('o3', 1, 'p1', 's1', '2018-01-05T00:00:00.000Z', 3000, 300));
    log.add('order-o2', 'PaymentReceived', { orderId: 'o2', paymentSequential: 1, paymentType: 'boleto', installments: 1, value: 1100 });
    log.add('customer-u2', 'CustomerRegistered', { customerUniqueId: 'u2', customerId: 'c-late', zipPrefix: '01046', city: 'sao paulo', state: 'SP' });
    log.add('order-o3', 'PaymentReceived', { orderId: 'o3', paymentSequential: 1, paymentType: 'voucher', installments: 1, value: 3300 });
    log.add('order-o1', 'PaymentReceived', { orderId: 'o1', paymentSequential: 1, paymentType: 'voucher', installments: 1, value: 1100 });
    log.add('order-o2', 'OrderItemAdded', item('o2', 1, 'p1', 's1', '2018-01-05T00:00:00.000Z', 1000, 100));
    await h.apply(log.events);
    const tiny = await Harness.create({ referenceCacheEntries: 1 });
    try {
      await tiny.applyIn(log.events, 1);
      expect(await tiny.hashes()).toEqual(await h.hashes());
      expect(await tiny.rows('SELECT order_id, customer_key <> 0 AS keyed FROM core.fact_payments ORDER BY order_id')).toEqual([
        { order_id: 'o1', keyed: false },
        { order_id: 'o2', keyed: true },
        { order_id: 'o3', keyed: true },
      ]);
    } finally {
      tiny.close();
    }
  });

  it('lets the error of a failed lookup of stored orders through (not DuckDB\'s refusal of the statements after it)', async () => {
    const events = olistScenario().events;
    const firstItem = events.findIndex((e) => e.type === 'OrderItemAdded');
    const tiny = await Harness.create({ referenceCacheEntries: 1 });
    try {
      await tiny.applyIn(events.slice(0, firstItem), 1);
      // The items' orders are looked up in core.fact_orders: a view there fails while the lookup runs, as a read of a broken file would.
      await tiny.client.run('ALTER TABLE core.fact_orders RENAME TO fact_orders_away');
      await tiny.client.run("CREATE VIEW core.fact_orders AS SELECT order_id, customer_id, purchase_date_key, error('simulated read failure')::BIGINT AS customer_key FROM core.fact_orders_away");
      const failure = await tiny.apply(events.slice(firstItem)).then(() => undefined, (error: Error) => error);
      expect(failure?.message).toMatch(/simulated read failure/);
      await tiny.client.run('DROP VIEW core.fact_orders');
      await tiny.client.run('ALTER TABLE core.fact_orders_away RENAME TO fact_orders');
      await tiny.apply(events.slice(firstItem));
      await tiny.expectSameAsCleanRun(events);
    } finally {
      tiny.close();
    }
  });

  it('leaves nothing behind when a batch fails (all or nothing), then applies it cleanly', async () => {
    const events = olistScenario().events;
    const half = Math.floor(events.length / 2);
    await h.apply(events.slice(0, half));
    const before = { hashes: await h.hashes(), counts: await tableCounts(h.client), checkpoint: await h.projection.checkpoint() };

    await h.client.run('ALTER TABLE core.fact_reviews RENAME TO fact_reviews_away'); // the reviews statement will fail
    await expect(h.apply(events.slice(half))).rejects.toThrow();
    await h.client.run('ALTER TABLE core.fact_reviews_away RENAME TO fact_reviews');
    expect(await h.hashes()).toEqual(before.hashes);
    expect(await tableCounts(h.client)).toEqual(before.counts);
    expect(await h.projection.checkpoint()).toBe(before.checkpoint);
    expect(await h.rows('SELECT count(*) AS n FROM core_state.stream_progress')).toEqual([{ n: 3n }]);

    await h.apply(events.slice(half));
    await h.expectSameAsCleanRun(events);
  });

  it('resumes after a restart from the stored checkpoint, without re-running migrations', async () => {
    const events = olistScenario().events;
    await h.apply(events.slice(0, 20));
    await h.reopen();
    expect(await h.projection.checkpoint()).toBe(events[19]!.position);
    expect(await h.rows('SELECT version, name FROM meta.schema_migrations')).toEqual([
      { version: 1, name: 'core_star_schema' },
      { version: 2, name: 'star_schema_without_primary_keys' },
    ]);
    await h.apply(events.slice(20));
    await h.expectSameAsCleanRun(events);
  });

  it('upgrades a file built before V002 (primary keys, their indexes in memory) in place: same content, no key left', async () => {
    const events = olistScenario().events;
    const v001Only = mkdtempSync(join(tmpdir(), 'olist-v001-'));
    try {
      copyFileSync(join('projections', 'duckdb', 'V001__core_star_schema.sql'), join(v001Only, 'V001__core_star_schema.sql'));
      const old = await Harness.create({ migrationsDir: v001Only });
      try {
        await old.apply(events.slice(0, 30));
        const keyed = `SELECT count(*) AS n FROM duckdb_constraints() WHERE schema_name = 'core' AND constraint_type = 'PRIMARY KEY'`;
        expect(await old.rows(keyed)).toEqual([{ n: 12n }]);
        await old.reopen({});
        await old.apply(events.slice(30));
        await old.expectSameAsCleanRun(events);
        // dim_date, dim_category and the checkpoint row keep theirs: small, bounded by the calendar and the categories.
        expect(await old.rows(keyed)).toEqual([{ n: 3n }]);
      } finally {
        old.close();
      }
    } finally {
      rmSync(v001Only, { recursive: true, force: true });
    }
  });

  it('skips ZipCodeLocated events already projected (per-stream revision), also after a restart', async () => {
    const log = new EventLog();
    log.add('zip-01001', 'ZipCodeLocated', { zipPrefix: '01001', locations: [{ lat: -23.55, lng: -46.63, city: 'sao paulo', state: 'SP' }] });
    log.add('zip-01001', 'ZipCodeLocated', {
      zipPrefix: '01001',
      locations: [{ lat: -23.56, lng: -46.64, city: 'sao paulo', state: 'SP' }, { lat: -23.57, lng: -46.65, city: 'sao paulo', state: 'SP' }],
    });
    const twice = log.events.map((e, i) => ({ ...e, position: checkpointAt(3 + i) }));
    await h.apply([...log.events, ...twice]); // the same events twice in one batch
    expect(await h.rows(`SELECT location_rows FROM core.dim_geography WHERE zip_prefix = '01001'`)).toEqual([{ location_rows: 3n }]);
    await h.reopen();
    const again = log.events.map((e, i) => ({ ...e, position: checkpointAt(10 + i) }));
    await h.apply(again); // and again after a restart
    expect(await h.rows(`SELECT location_rows, lat FROM core.dim_geography WHERE zip_prefix = '01001'`)).toEqual([{ location_rows: 3n, lat: -23.56 }]);
  });

  it('extends the calendar (whole years, contiguous) when a date falls outside it', async () => {
    const log = new EventLog();
    placed(log, 'late', 'c', '2022-06-30T12:00:00.000Z');
    placed(log, 'bogus', 'c', '1850-01-01T00:00:00.000Z'); // outside the calendar window: unknown date
    await h.apply(log.events);
    expect(await h.rows('SELECT min(date) AS first, max(date) AS last, count(*) AS days FROM core.dim_date WHERE date_key <> 0')).toEqual([
      { first: '2016-01-01', last: '2022-12-31', days: 2557n },
    ]);
    expect(await h.rows('SELECT order_id, purchase_date_key FROM core.fact_orders ORDER BY order_id')).toEqual([
      { order_id: 'bogus', purchase_date_key: 0 },
      { order_id: 'late', purchase_date_key: 20220630 },
    ]);
  });

  it('refuses to double-apply when a second projector writes the same file', async () => {
    const events = olistScenario().events;
    const second = new StarSchemaProjection(h.db);
    await second.init();
    try {
      await h.apply(events.slice(0, 10));
      await expect(second.apply(events.slice(10, 20), events[19]!.position)).rejects.toThrow(ProjectionConflictError);
      // It resynchronised: an already-applied batch is now a no-op for it too.
      await second.apply(events.slice(0, 10), events[9]!.position);
      expect(await h.projection.checkpoint()).toBe(events[9]!.position);
    } finally {
      second.close();
    }
  });

  it('content hashes ignore physical row order', async () => {
    await h.client.run('CREATE TABLE main.t (a INTEGER, b VARCHAR); INSERT INTO main.t VALUES (1, \'x\'), (2, NULL)');
    const first = await contentHashes(h.client, ['main.t']);
    await h.client.run('DELETE FROM main.t; INSERT INTO main.t VALUES (2, NULL), (1, \'x\')');
    expect(await contentHashes(h.client, ['main.t'])).toEqual(first);
    await h.client.run('UPDATE main.t SET b = \'y\' WHERE a = 1');
    expect(await contentHashes(h.client, ['main.t'])).not.toEqual(first);
    await expect(contentHashes(h.client, ['main.t; DROP TABLE x'])).rejects.toThrow(/not a table name/);
  });
});
