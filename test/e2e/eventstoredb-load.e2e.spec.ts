import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAR_SCHEMA_TABLES, contentHashes } from '@olist/analytics';
import { UpcastingEventStore, type EventStore } from '@olist/event-store';
import { generateDataset } from '@olist/generator';
import { EVENT_STORE } from '@olist/platform';
import { loadDirectory } from '../../apps/loader/src/index.js';
import { EsdbTestDouble } from '../../libs/event-store/test/esdb/server.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

/**
 * The whole pipeline with EVENT_STORE=eventstoredb (the adapter on the real client, against the protocol-level
 * test double) builds the same star schema, content hash for content hash, as with the PostgreSQL store.
 */
describe('end to end: the EventStoreDB adapter selected by configuration', () => {
  let dataDir: string;
  let double: EsdbTestDouble;
  const apis: EmbeddedApi[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-esdb-'));
    await generateDataset({ orders: 40, seed: 21, outDir: dataDir });
    double = await EsdbTestDouble.start();
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.close();
    await double?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const loadInto = async (env: Record<string, string>) => {
    const api = await startEmbeddedApi(env);
    apis.push(api);
    const summary = await loadDirectory({ dir: dataDir, apiUrl: api.url, batchSize: 100, concurrency: 3 });
    expect(summary.ok).toBe(true);
    await api.waitForProjector();
    return { api, summary, hashes: await contentHashes(await api.duckdb(), STAR_SCHEMA_TABLES) };
  };

  it('yields the star schema of the PostgreSQL store, with concurrent batches', async () => {
    const esdb = await loadInto({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString });
    const pg = await loadInto({});
    expect(esdb.api.app.get<EventStore>(EVENT_STORE)).toBeInstanceOf(UpcastingEventStore);
    expect(esdb.hashes).toEqual(pg.hashes);
    for (const f of esdb.summary.files) expect([f.file, f.accepted + f.duplicates + f.rejected]).toEqual([f.file, f.rowsRead]);
    // Known gap (issue 5): with concurrent batches, this path reports some geolocation rows as duplicates that the
    // PostgreSQL path accepts (same facts; cause not found yet, suspected: appendMany is not atomic on EventStoreDB).
  }, 180_000);
});
