import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { MART_TABLES, STAR_SCHEMA_TABLES, contentHashes, tableCounts } from '../src/index.js';
import { buildStarSchemaFromCsv, type CsvFloorResult } from '../bench/csv-floor.js';
import { startEmbeddedApi, type EmbeddedApi } from '../../../test/support/embedded-api.js';

/**
 * The analytical floor (bench/csv-floor.ts) builds what the pipeline builds: one clean generated dataset
 * loaded through the real API, event store and projector, and the same files through the floor, compared
 * table by table.
 */
describe('CSV floor: the star schema and marts straight from the CSV files', () => {
  const tables = [...STAR_SCHEMA_TABLES, ...MART_TABLES];
  let dir: string;
  let api: EmbeddedApi;
  let pipeline: DuckDbClient;
  let floor: CsvFloorResult;
  let floorDb: DuckDbDatabase;
  let floorClient: DuckDbClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-csv-floor-'));
    const data = join(dir, 'data');
    await generateDataset({ orders: 300, seed: 'floor', outDir: data, quirks: false });
    api = await startEmbeddedApi();
    const load = await api.loadAndSettle(data);
    expect(load.totals.rejected).toBe(0);
    pipeline = await api.duckdb();

    const file = join(dir, 'floor.duckdb');
    floor = await buildStarSchemaFromCsv(data, file, { threads: 2 });
    floorDb = await DuckDbDatabase.open(file, { config: { access_mode: 'READ_ONLY' } });
    floorClient = await floorDb.connect();
  }, 240_000);

  afterAll(async () => {
    floorClient?.close();
    floorDb?.close();
    pipeline?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('times itself and counts every table, none empty', async () => {
    expect(floor.seconds).toBeGreaterThanOrEqual(floor.starSchemaSeconds + floor.martsSeconds);
    expect(floor.counts).toEqual(await tableCounts(floorClient, tables));
    expect(floor.counts['core.fact_orders']).toBe(300);
    expect(Object.entries(floor.counts).filter(([, rows]) => rows === 0)).toEqual([]);
  });

  it('every table has the row count the pipeline builds', async () => {
    expect(floor.counts).toEqual(await tableCounts(pipeline, tables));
  });

  it('every mart has the content the pipeline builds', async () => {
    expect(await contentHashes(floorClient, MART_TABLES)).toEqual(await contentHashes(pipeline, MART_TABLES));
  });

  it('so has every star-schema table', async () => {
    expect(await contentHashes(floorClient, STAR_SCHEMA_TABLES)).toEqual(await contentHashes(pipeline, STAR_SCHEMA_TABLES));
  });
});
