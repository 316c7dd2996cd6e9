import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@olist/generator';
import type { LoadSummary } from '@olist/loader';
import { csvOracle, startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const iso = (olist: string) => new Date(`${olist.replace(' ', 'T')}Z`).toISOString();
const dayBefore = (olist: string) => new Date(Date.parse(iso(olist)) - 86_400_000).toISOString();

describe('auditors: the event history over HTTP (embedded)', () => {
  let api: EmbeddedApi;
  let dataDir: string;
  let load: LoadSummary;
  let oracle: Awaited<ReturnType<typeof csvOracle>>;
  const get = async (path: string) => {
    const response = await fetch(`${api.url}${path}`, { headers: api.headers });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-audit-history-'));
    await generateDataset({ orders: 300, seed: 8, outDir: dataDir });
    api = await startEmbeddedApi();
    load = await api.loadAndSettle(dataDir);
    oracle = await csvOracle(dataDir);
  }, 120_000);

  afterAll(async () => {
    oracle?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows an order as it stood at a business time, a revision, or what the system knew at a time', async () => {
    const order = await oracle.one<{ order_id: string; carrier: string; delivered: string }>(`
      SELECT order_id, order_delivered_carrier_date AS carrier, order_delivered_customer_date AS delivered FROM orders
      WHERE order_status = 'delivered' AND order_delivered_carrier_date <> '' AND order_delivered_customer_date::DATE > order_delivered_carrier_date::DATE + 1
      ORDER BY order_id LIMIT 1`);
    const at = (query: string) => get(`/v1/audit/aggregates/order-${order.order_id}?${query}`);
    expect((await at(`asOf=${iso(order.delivered)}`)).body.status).toBe('delivered');
    const before = await at(`asOf=${dayBefore(order.delivered)}`);
    expect(before.body.status).toBe('shipped');
    expect(before.body.shipment.state).toEqual({ dispatched: true, delivered: false });
    expect((await at(`asOf=${dayBefore(order.carrier)}`)).body.status).not.toMatch(/shipped|delivered/);
    const placed = await at('atRevision=0');
    expect(placed.body).toMatchObject({ revision: '0', status: 'created', state: { status: 'placed', milestones: [] } });
    expect(placed.body.events).toHaveLength(1);
    expect(placed.body.events[0]).toMatchObject({ type: 'OrderPlaced', provenance: { file: 'olist_orders_dataset.csv' }, actor: 'admin', correlationId: load.runId });
    expect(await at('recordedAsOf=2001-01-01T00:00:00Z')).toMatchObject({ status: 404, body: { code: 'AUDIT.NOT_KNOWN_THEN' } });
    const whole = await at('');
    expect(await at(`atPosition=${placed.body.position}`)).toMatchObject({ body: { revision: '0' } });
    expect(whole.body.revision).not.toBe('0');
  });

  it('reads a stream forwards and backwards, paged by revision, upcast or as stored', async () => {
    const { order_id } = await oracle.one<{ order_id: string }>(`SELECT order_id FROM orders WHERE order_status = 'delivered' ORDER BY order_id LIMIT 1`);
    const first = await get(`/v1/audit/streams/order-${order_id}?limit=1`);
    expect(first.body).toMatchObject({ next: '1', events: [{ revision: '0', type: 'OrderPlaced' }] });
    const rest = await get(`/v1/audit/streams/order-${order_id}?from=${first.body.next}&limit=100`);
    const backwards = await get(`/v1/audit/streams/order-${order_id}?direction=backwards&limit=100`);
    const forwards = [...first.body.events, ...rest.body.events];
    expect(backwards.body.events.map((e: { eventId: string }) => e.eventId)).toEqual(forwards.map((e) => e.eventId).reverse());
    expect(rest.body.next).toBeNull();
    expect((await get(`/v1/audit/streams/order-${order_id}?raw=true`)).body.events).toHaveLength(forwards.length);
    expect(await get('/v1/audit/streams/order-nope')).toMatchObject({ status: 404, body: { code: 'AUDIT.UNKNOWN_STREAM' } });
    expect(await get('/v1/audit/streams/..%2F..%2Fetc')).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID', details: { parameter: 'streamId' } } });
  });

  it('pages the global log by cursor in pages of 100: every event once, in log order; filters and counts by type', async () => {
    expect(await api.auditedEventIds(100)).toEqual(await api.eventIds());
    const orders = await oracle.one<{ n: bigint }>('SELECT count(*) AS n FROM orders');
    const counts = await get(`/v1/audit/events/counts?runId=${load.runId}`);
    expect(counts.body.counts.OrderPlaced).toBe(Number(orders.n));
    expect(counts.body.total).toBe(load.totals.eventsAppended + counts.body.counts.PipelineRunStarted + (counts.body.counts.PipelineRunLoaded ?? 0)
      + (counts.body.counts.SourceFileIngested ?? 0) + (counts.body.counts.QualityCheckRecorded ?? 0) + (counts.body.counts.PipelineRunCompleted ?? 0)
      + (counts.body.counts.SourceBatchIngested ?? 0));
    const placed = await get('/v1/audit/events?type=OrderPlaced&limit=1000');
    expect(placed.body.events).toHaveLength(Number(orders.n));
    const early = await get('/v1/audit/events?type=OrderPlaced&occurredTo=2017-01-01T00:00:00Z&limit=1000');
    const expectedEarly = await oracle.one<{ n: bigint }>(`SELECT count(*) AS n FROM orders WHERE order_purchase_timestamp < '2017-01-01'`);
    expect(early.body.events).toHaveLength(Number(expectedEarly.n));
    expect(await get('/v1/audit/events?after=12:34')).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    expect(await get('/v1/audit/events?occurredFrom=yesterday')).toMatchObject({ status: 400 });
  });

  it("states where the log stood when a run ended (the position to read the marts as of it)", async () => {
    const run = await get(`/v1/pipeline-runs/${load.runId}`);
    expect(run.body).toMatchObject({ status: 'COMPLETED', endedAtPosition: expect.stringMatching(/^\d{20}:\d{20}$/) });
    const last = await get(`/v1/audit/streams/pipeline_run-${load.runId}?direction=backwards&limit=1`);
    expect(last.body.events[0]).toMatchObject({ type: 'PipelineRunCompleted', position: run.body.endedAtPosition });
  });
});
