import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAR_SCHEMA_TABLES, contentHashes } from '@olist/analytics';
import { UpcastingEventStore, encodeEsdbCheckpoint, type EventStore } from '@olist/event-store';
import { generateDataset } from '@olist/generator';
import { EVENT_STORE } from '@olist/infrastructure';
import { ApiClient, loadDirectory, type FileSummary } from '@olist/loader';
import { EsdbTestDouble } from '../../libs/event-store/testing/index.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/**
 * The whole pipeline with EVENT_STORE=eventstoredb (the adapter on the real client, against the protocol-level
 * test double) builds the same star schema, content hash for content hash, and answers every row the same way,
 * as with the PostgreSQL store.
 */
describe('end to end: the EventStoreDB adapter selected by configuration', () => {
  let dataDir: string;
  const doubles: EsdbTestDouble[] = [];
  const apis: EmbeddedApi[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-esdb-'));
    await generateDataset({ orders: 40, seed: 21, outDir: dataDir });
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.close();
    for (const double of doubles) await double.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const startApi = async (env: Record<string, string>) => {
    const api = await startEmbeddedApi(env);
    apis.push(api);
    return api;
  };
  const startDouble = async () => {
    const double = await EsdbTestDouble.start();
    doubles.push(double);
    return double;
  };
  const loadInto = async (env: Record<string, string>) => {
    const api = await startApi(env);
    const summary = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 100, concurrency: 3 });
    expect(summary.ok).toBe(true);
    await api.waitForProjector();
    return { api, summary, hashes: await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES) };
  };
  let pgRun: ReturnType<typeof loadInto> | undefined;
  /** The clean run on the PostgreSQL store, shared by the tests that compare with it. */
  const cleanPgRun = () => (pgRun ??= loadInto({}));
  const counts = (files: ReadonlyArray<FileSummary>) =>
    files.map(({ file, rowsRead, accepted, duplicates, rejected, eventsAppended, failed }) => ({ file, rowsRead, accepted, duplicates, rejected, eventsAppended, failed }));

  it('yields the star schema and the per-file row outcomes of the PostgreSQL store, with concurrent batches', async () => {
    const double = await startDouble();
    const esdb = await loadInto({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString });
    const pg = await cleanPgRun();
    expect(esdb.api.app.get<EventStore>(EVENT_STORE)).toBeInstanceOf(UpcastingEventStore);
    expect(esdb.hashes).toEqual(pg.hashes);
    expect(counts(esdb.summary.files)).toEqual(counts(pg.summary.files));

    // Auditors page the global log of either store in pages of 100: every event once, in the store's order.
    for (const { api } of [esdb, pg]) {
      const seen = await api.auditedEventIds(100);
      expect(seen).toEqual(await api.eventIds());
      expect(new Set(seen).size).toBe(seen.length);
    }
  }, 240_000);

  it('the projector resubscribes when the server drops, ends or refuses its subscription and when it refuses every call for a while, and loses or doubles nothing', async () => {
    const double = await startDouble();
    const api = await startApi({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString });
    let loading = true;
    let faults = 0;
    const chaos = (async () => {
      while (loading) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (faults % 3 === 2) double.refuseSubscriptionsFor(600); // resubscription attempts fail for a while
        if (faults % 2 === 0) double.dropSubscriptions(); // UNAVAILABLE
        else double.endSubscriptions(); // status OK, as a node shutting down
        faults++;
      }
    })();
    const summary = await loadDirectory({ dir: dataDir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 100, concurrency: 3 }).finally(() => (loading = false));
    await chaos;
    expect(summary.ok).toBe(true);
    // The quality gate appends the run's checks and its outcome after the load: wait for them, so the log is whole.
    await api.waitForRunOutcome(summary.runId, 120_000);
    // Once the load is in, the whole server goes away for a while: every call is refused, resubscriptions too.
    double.refuseCallsFor(500);
    double.dropSubscriptions();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await api.waitForProjector();

    expect(faults).toBeGreaterThan(3);
    const hashes = await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES);
    expect(hashes).toEqual((await cleanPgRun()).hashes);
    // Each projector was handed every event of the log exactly once, and stands at its end.
    const events = double.log.events.filter((e) => !e.metadata.get('type')!.startsWith('$'));
    const last = events[events.length - 1]!.position;
    const status = (await (await fetch(`${api.url}/v1/projections/status`, { headers: api.headers })).json()) as { projections: Array<{ name: string; eventsProjected: number; checkpoint: string; error: string | null }> };
    expect(status.projections.length).toBeGreaterThan(0);
    // Resubscriptions happened: more (re)subscriptions than two per projector.
    expect(double.subscriptionsStarted).toBeGreaterThan(2 * status.projections.length);
    for (const p of status.projections) {
      expect(p).toMatchObject({ eventsProjected: events.length, checkpoint: encodeEsdbCheckpoint({ commit: last, prepare: last }), error: null });
    }
  }, 180_000);

  it('a batch that loses a race after part of its append was written counts its own events as accepted', async () => {
    // Batch A locates zip prefixes 01001 and 01002; while its append to zip-01002 is held by the double, batch B
    // locates 01002 elsewhere. A's append then fails on zip-01002 after zip-01001 was written (EventStoreDB has no
    // multi-stream transaction); deciding again, A must not take its own zip-01001 event for a duplicate.
    const double = await startDouble();
    const api = await startApi({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString });
    const client = new ApiClient({ baseUrl: api.url, headers: api.headers });
    const runId = randomUUID();
    await client.startRun(runId, 'race test');
    const header = ['geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng', 'geolocation_city', 'geolocation_state'];
    const row = (line: number, zip: string, lat: string) => ({ line, values: [zip, lat, '-46.6', 'sao paulo', 'SP'] });

    const appendsToContested: string[] = [];
    let batchB: Promise<unknown> | undefined;
    double.beforeAppend = async (stream) => {
      if (stream !== 'zip-01002') return;
      appendsToContested.push(stream);
      if (batchB) return;
      batchB = client.postBatch(runId, 'geolocation', { header, rows: [row(4, '01002', '-23.3')] });
      await batchB;
    };
    const a = await client.postBatch(runId, 'geolocation', { header, rows: [row(2, '01001', '-23.1'), row(3, '01002', '-23.2')] });
    const b = await batchB;

    expect(appendsToContested.length).toBeGreaterThanOrEqual(3); // A held, B, A again after the conflict
    expect(double.log.stream('zip-01001')).toHaveLength(1);
    expect(double.log.stream('zip-01002')).toHaveLength(2);
    expect(a).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0, eventsAppended: 2 });
    expect(b).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0, eventsAppended: 1 });
  }, 60_000);

  it('a batch whose append is cut by an unavailable server after part of it was written is decided again and answers every row as accepted', async () => {
    // The streams of a batch are written concurrently: zip-01001 and zip-01003 are written, then the server stops
    // answering just as zip-01002's append arrives. PostgreSQL would have rolled the batch back and taken it all.
    const double = await startDouble();
    const api = await startApi({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString });
    const client = new ApiClient({ baseUrl: api.url, headers: api.headers, retry: { attempts: 1 } });
    const runId = randomUUID();
    await client.startRun(runId, 'outage test');
    const header = ['geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng', 'geolocation_city', 'geolocation_state'];
    const rows = ['01001', '01002', '01003'].map((zip, i) => ({ line: i + 2, values: [zip, `-23.${i}`, '-46.6', 'sao paulo', 'SP'] }));
    let cut = false;
    double.beforeAppend = async (stream) => {
      if (stream !== 'zip-01002' || cut) return;
      cut = true;
      while (!double.log.stream('zip-01001') || !double.log.stream('zip-01003')) await new Promise((resolve) => setTimeout(resolve, 5));
      double.refuseCallsFor(150); // this append, and the batch's next attempt, are refused
    };
    const result = await client.postBatch(runId, 'geolocation', { header, rows });

    expect(cut).toBe(true);
    expect(['zip-01001', 'zip-01002', 'zip-01003'].map((s) => double.log.stream(s)?.length)).toEqual([1, 1, 1]);
    expect(result).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0, eventsAppended: 3 });
  }, 60_000);
});
