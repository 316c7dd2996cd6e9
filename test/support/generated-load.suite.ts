import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAR_SCHEMA_TABLES, contentHashes } from '@olist/analytics';
import type { OlistEventType } from '@olist/event-catalog';
import type { EventStore, RecordedEvent } from '@olist/event-store';
import { generateDataset } from '@olist/generator';
import { SOURCE_FILES } from '@olist/ingestion';
import { EVENT_STORE } from '@olist/infrastructure';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from './embedded-api.js';

/**
 * CSV → loader → HTTP → command handlers → PGlite event store → projector → DuckDB, checked against
 * figures computed by DuckDB straight from the same CSV files.
 */
export const describeGeneratedLoad = (
  name: string,
  /** Extra settings (environment variables) for the API, e.g. DATABASE_URL; called before the suite. */
  environment: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> = async () => ({ env: {}, cleanup: async () => undefined }),
) => describe(`end to end (${name}): a generated dataset through the HTTP API`, () => {
  let api: EmbeddedApi;
  let cleanup: (() => Promise<void>) | undefined;
  let dataDir: string;
  let first: LoadSummary;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-gen-'));
    await generateDataset({ orders: 400, seed: 11, outDir: dataDir });
    const prepared = await environment();
    cleanup = prepared.cleanup;
    api = await startEmbeddedApi(prepared.env);
    first = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 150, qualityWaitMs: 60_000 });
    await api.waitForProjector();
    oracle = await csvOracle(dataDir);
  }, 120_000);

  afterAll(async () => {
    oracle?.close();
    await api?.close();
    await cleanup?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  const scalar = async (sql: string): Promise<unknown> => {
    const rows = await (await api.duckdb()).query<Record<string, unknown>>(sql);
    return Object.values(rows[0]!)[0];
  };

  it('accounts for every row of every file, and accepts every valid generated row', () => {
    expect(first.ok).toBe(true);
    for (const f of first.files) {
      expect({ file: f.file, sum: f.accepted + f.duplicates + f.rejected }).toEqual({ file: f.file, sum: f.rowsRead });
    }
    expect(first.totals.rejected).toBe(0);
  });

  it('projects exactly the orders, items and payments of the files', async () => {
    const expected = await oracle.one<{ orders: bigint; items: bigint; payments: bigint; gmv: string; paid: string }>(`
      SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM payments) AS payments,
             (SELECT sum(price::DECIMAL(18,2))::VARCHAR FROM items) AS gmv, (SELECT sum(payment_value::DECIMAL(18,2))::VARCHAR FROM payments) AS paid`);
    expect(await scalar('SELECT count(*) FROM core.fact_orders')).toBe(expected.orders);
    expect(await scalar('SELECT count(*) FROM core.fact_order_items')).toBe(expected.items);
    expect(await scalar('SELECT count(*) FROM core.fact_payments')).toBe(expected.payments);
    expect(await scalar('SELECT sum(price)::VARCHAR FROM core.fact_order_items')).toBe(expected.gmv);
    expect(await scalar('SELECT sum(payment_value)::VARCHAR FROM core.fact_payments')).toBe(expected.paid);
  });

  it('keeps every order status', async () => {
    const expected = await oracle.all<{ status: string; n: bigint }>('SELECT order_status AS status, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1');
    const actual = await (await api.duckdb()).query('SELECT order_status AS status, count(*) AS n FROM core.fact_orders GROUP BY 1 ORDER BY 1');
    expect(actual).toEqual(expected);
  });

  it('computes on-time deliveries as date(delivered) <= date(estimated)', async () => {
    const expected = await oracle.one<{ on_time: bigint; late: bigint }>(`
      SELECT count(*) FILTER (WHERE order_delivered_customer_date::DATE <= order_estimated_delivery_date::DATE) AS on_time,
             count(*) FILTER (WHERE order_delivered_customer_date::DATE > order_estimated_delivery_date::DATE) AS late
      FROM orders WHERE order_delivered_customer_date <> ''`);
    const actual = await (await api.duckdb()).query<{ on_time: bigint; late: bigint }>(
      'SELECT count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE NOT on_time) AS late FROM core.fact_deliveries');
    expect(actual[0]).toEqual(expected);
  });

  it('has one customer row per customer_id, and the reviews of the file', async () => {
    const expected = await oracle.one<{ customers: bigint; reviews: bigint }>(
      'SELECT (SELECT count(DISTINCT customer_id) FROM customers) AS customers, (SELECT count(*) FROM (SELECT DISTINCT review_id, order_id FROM reviews)) AS reviews');
    expect(await scalar("SELECT count(*) FROM core.dim_customer WHERE customer_key <> 0")).toBe(expected.customers);
    expect(await scalar('SELECT count(*) FROM core.fact_reviews')).toBe(expected.reviews);
  });

  it('stamps every event with its metadata and provenance (file, line, row hash)', async () => {
    const store = api.app.get<EventStore>(EVENT_STORE);
    const row = await oracle.one<{ order_id: string }>('SELECT order_id FROM orders LIMIT 1');
    const events = await store.readStream(`order-${row.order_id}`);
    expect(events[0]).toMatchObject({ type: 'OrderPlaced', revision: 0n });
    expect(events[0]!.metadata).toMatchObject({
      eventId: events[0]!.id,
      schemaVersion: 1,
      correlationId: first.runId,
      actor: 'admin', // the user of the API key the loader posted with
      provenance: { file: 'olist_orders_dataset.csv', line: 2, rowHash: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(events[0]!.metadata.occurredAt).toBe((events[0]!.data as { purchasedAt: string }).purchasedAt);
    expect(Date.parse(events[0]!.metadata.recordedAt as string)).not.toBeNaN();
  });

  it('dates every event by the source (occurredAt), never by the clock', async () => {
    const iso = (text: string | null): string | null => (text ? new Date(`${text.replace(' ', 'T')}Z`).toISOString() : null);
    const orders = new Map((await oracle.all<Record<string, string | null>>(
      `SELECT order_id, order_purchase_timestamp AS purchased, nullif(order_approved_at, '') AS approved,
              nullif(order_delivered_carrier_date, '') AS carrier, nullif(order_delivered_customer_date, '') AS delivered FROM orders`,
    )).map((o) => [o.order_id!, o]));
    const reviews = new Map((await oracle.all<Record<string, string | null>>(
      `SELECT review_id || '/' || order_id AS id, review_creation_date AS created, nullif(review_answer_timestamp, '') AS answered FROM reviews`,
    )).map((r) => [r.id!, r]));
    const order = (e: RecordedEvent) => orders.get((e.data as { orderId: string }).orderId)!;
    const review = (e: RecordedEvent) => reviews.get(`${(e.data as { reviewId: string }).reviewId}/${(e.data as { orderId: string }).orderId}`)!;
    const undated = () => null;
    const store = api.app.get<EventStore>(EVENT_STORE);
    const events: RecordedEvent[] = [];
    for (let page = await store.readAll({ maxCount: 5000 }); page.events.length > 0; page = await store.readAll({ after: page.checkpoint, maxCount: 5000 })) {
      events.push(...page.events);
    }
    const loadedAt = new Map(events.filter((e) => e.type === 'PipelineRunLoaded').map((e) => [e.streamId, (e.data as { loadedAt: string }).loadedAt]));
    // The run's own events happen when their command says: the loader's start and complete (its files' statistics
    // come with the completion), the quality gate's check, a batch's arrival (its count and its rejected rows).
    const commandTime = (e: RecordedEvent): string => {
      const data = e.data as Record<string, string>;
      switch (e.type) {
        case 'SourceFileIngested': return loadedAt.get(e.streamId)!;
        case 'SourceBatchIngested': case 'RowRejected': return e.metadata.recordedAt as string;
        default: return data[{ PipelineRunStarted: 'startedAt', PipelineRunResumed: 'resumedAt', PipelineRunLoaded: 'loadedAt', PipelineRunCompleted: 'completedAt', PipelineRunFailed: 'failedAt', QualityCheckRecorded: 'checkedAt' }[e.type]!]!;
      }
    };
    const expected: Record<OlistEventType, (e: RecordedEvent) => string | null> = {
      OrderPlaced: (e) => iso(order(e).purchased!), OrderPlacementCorrected: (e) => iso(order(e).purchased!),
      OrderApproved: (e) => iso(order(e).approved!),
      OrderInvoiced: (e) => iso(order(e).approved ?? order(e).purchased!), OrderProcessingStarted: (e) => iso(order(e).approved ?? order(e).purchased!),
      OrderCancelled: (e) => iso(order(e).approved ?? order(e).purchased!), OrderMarkedUnavailable: (e) => iso(order(e).approved ?? order(e).purchased!),
      OrderItemAdded: (e) => iso(order(e).purchased!), OrderItemCorrected: (e) => iso(order(e).purchased!),
      PaymentReceived: (e) => iso(order(e).purchased!), PaymentCorrected: (e) => iso(order(e).purchased!),
      ShipmentDispatched: (e) => iso(order(e).carrier!), DeliveryCompleted: (e) => iso(order(e).delivered!),
      ReviewSubmitted: (e) => iso(review(e).created!), ReviewCorrected: (e) => iso(review(e).created!), ReviewAnswered: (e) => iso(review(e).answered!),
      CustomerRegistered: undated, CustomerAddressCorrected: undated, ZipCodeLocated: undated,
      CategoryRegistered: undated, CategoryTranslationCorrected: undated, SellerRegistered: undated, SellerDetailsCorrected: undated,
      ProductListed: undated, ProductDetailsCorrected: undated,
      PipelineRunStarted: commandTime, PipelineRunResumed: commandTime, PipelineRunLoaded: commandTime, SourceFileIngested: commandTime,
      SourceBatchIngested: commandTime, RowRejected: commandTime, QualityCheckRecorded: commandTime, PipelineRunCompleted: commandTime, PipelineRunFailed: commandTime,
      PersonalDataErased: (e) => (e.data as { erasedAt: string }).erasedAt,
    };
    const seen = new Set<string>();
    for (const e of events) {
      const rule = expected[e.type as OlistEventType];
      expect({ type: e.type, known: rule !== undefined }).toEqual({ type: e.type, known: true });
      expect({ type: e.type, id: e.id, occurredAt: e.metadata.occurredAt }).toEqual({ type: e.type, id: e.id, occurredAt: rule(e) });
      seen.add(e.type);
    }
    // What the deciders emit on a clean generated dataset (corrections, rejections and resumptions have their own suites).
    const emitted = [
      'CategoryRegistered', 'CustomerRegistered', 'DeliveryCompleted', 'OrderApproved', 'OrderCancelled', 'OrderInvoiced', 'OrderItemAdded', 'OrderPlaced',
      'PaymentReceived', 'PipelineRunCompleted', 'PipelineRunLoaded', 'PipelineRunStarted', 'ProductListed', 'QualityCheckRecorded', 'ReviewAnswered',
      'ReviewSubmitted', 'SellerRegistered', 'ShipmentDispatched', 'SourceBatchIngested', 'SourceFileIngested', 'ZipCodeLocated',
    ];
    expect(emitted.filter((type) => !seen.has(type))).toEqual([]);
  });

  it('changes nothing when the same files are posted again', async () => {
    const client = await api.duckdb();
    const before = await contentHashes(client, STAR_SCHEMA_TABLES);
    const again = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 97 });
    await api.waitForProjector();
    expect(again.runId).toBe(first.runId);
    expect(again.totals.eventsAppended).toBe(0);
    expect(again.totals.accepted).toBe(0);
    expect(again.totals.duplicates).toBe(first.totals.accepted);
    expect(await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES)).toEqual(before);
  }, 120_000);

  it('appends nothing for an overlapping directory (another run holding a part of the same rows)', async () => {
    const before = await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES);
    const partDir = await mkdtemp(join(tmpdir(), 'olist-dw-part-'));
    try {
      for (const f of SOURCE_FILES) {
        // Orders, items and payments have no line breaks inside values: the first lines are whole records.
        const lines = (await readFile(join(dataDir, f.fileName), 'utf8')).split('\n');
        const keep = ['orders', 'order_items', 'payments'].includes(f.name) ? lines.slice(0, 120) : lines;
        await writeFile(join(partDir, f.fileName), `${keep.join('\n').replace(/\n?$/, '')}\n`);
      }
      const part = await loadDirectory({ dir: partDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 50 });
      await api.waitForProjector();
      expect(part.runId).not.toBe(first.runId);
      expect(part.ok).toBe(true);
      expect([part.totals.accepted, part.totals.rejected, part.totals.eventsAppended]).toEqual([0, 0, 0]);
      expect(part.totals.duplicates).toBe(part.totals.rowsRead);
      expect(await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES)).toEqual(before);
    } finally {
      await rm(partDir, { recursive: true, force: true });
    }
  }, 120_000);
});
