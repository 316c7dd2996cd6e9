import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { generateDataset } from '@olist/generator';
import { SOURCE_FILES } from '@olist/ingestion';
import { createPgClient, createTestDatabase, type TableContent, type TestDatabase } from '@olist/postgres';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { seededRandom } from '../support/child-apps.js';
import { starSchemaContent } from '../support/read-model-content.js';
import { ServerSystem } from '../support/server-system.js';

const ORDERS = 600;
const SEED = process.env.RACE_SEED ? Number(process.env.RACE_SEED) : Math.floor(Math.random() * 2 ** 31);
const ADMIN_KEY = generateApiKey();
/** Each racing loader's share of every file's rows (from, to) and its batch size: they overlap pairwise. */
const COPIES = [
  { name: 'all', from: 0, to: 1, batchSize: 100 },
  { name: 'head', from: 0, to: 0.6, batchSize: 64 },
  { name: 'tail', from: 0.4, to: 1, batchSize: 37 },
  { name: 'middle', from: 0.2, to: 0.8, batchSize: 151 },
] as const;

/** Records as they are, defects (a short row) included. */
type Rows = string[][];
const readCsv = async (path: string): Promise<Rows> => parse(await readFile(path), { relaxColumnCount: true }) as Rows;
const writeCsv = (path: string, rows: Rows): Promise<void> => writeFile(path, stringify(rows, { quoted: true }));

/** The star schema, the marts and the domain events (the pipeline runs and their batch statistics are each loader's own). */
const finalState = async (dbUrl: string, duckdbPath: string): Promise<{ tables: Record<string, TableContent | undefined>; duplicateEvents: number }> => {
  const tables = await starSchemaContent(duckdbPath);
  const sql = createPgClient(dbUrl, { max: 1 });
  try {
    // A zip prefix's points are recorded one event per prefix and batch: how the rows fall into batches shapes
    // those events (dim_geolocation, compared above, holds the points themselves).
    const domain = `FROM event_store.events WHERE category NOT IN ('pipeline_run', 'ingestion_batch', 'zip')`;
    const { rows } = await sql.query<{ n: string; hash: string }>(
      `SELECT count(*) AS n, md5(string_agg(event_id::text || ' ' || stream_id || ' ' || event_type, chr(10) ORDER BY event_id)) AS hash ${domain}`);
    tables['domain events (id, stream, type)'] = { rows: Number(rows[0]!.n), hash: rows[0]!.hash };
    const dup = await sql.query<{ n: string }>('SELECT count(*) - count(DISTINCT event_id) AS n FROM event_store.events');
    return { tables, duplicateEvents: Number(dup.rows[0]!.n) };
  } finally {
    await sql.close();
  }
};

const expectEveryRowAccountedFor = (summary: LoadSummary): void => {
  expect(summary.ok).toBe(true);
  for (const f of summary.files) expect([f.file, f.accepted + f.duplicates + f.rejected, f.failed]).toEqual([f.file, f.rowsRead, 0]);
};

/**
 * Issue 14, item 3: four loaders race on overlapping copies of the same files (every row is in two to four of
 * them), then a fifth loads a copy with corrected rows. No event is stored twice, every loader accounts for
 * every row it read, and the star schema, the marts and the domain events equal one clean load of the whole
 * files followed by the corrected copy.
 */
describe('racing loaders on overlapping copies (server mode)', () => {
  let dir: string;
  const databases: TestDatabase[] = [];
  const systems: ServerSystem[] = [];

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }); // the child processes run dist/
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-race-'));
    await generateDataset({ orders: ORDERS, seed: 31, outDir: join(dir, 'data'), defects: true });
  }, 180_000);

  afterAll(async () => {
    for (const s of systems) await s.kill();
    for (const d of databases) await d.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const startSystem = async (name: string): Promise<{ system: ServerSystem; db: TestDatabase }> => {
    const db = await createTestDatabase(`olist_dw_${name}`);
    databases.push(db);
    await mkdir(join(dir, name));
    const system = await ServerSystem.start({ dbUrl: db.url, dir: join(dir, name), adminKey: ADMIN_KEY });
    systems.push(system);
    return { system, db };
  };

  it('stores every event once, accounts for every row, and ends as one clean load plus the corrections', async () => {
    process.stdout.write(`racing loaders: seed ${SEED} (RACE_SEED=${SEED} replays it), ${ORDERS} orders\n`);
    const random = seededRandom(SEED);
    const files = new Map<string, Rows>();
    for (const f of SOURCE_FILES) files.set(f.fileName, await readCsv(join(dir, 'data', f.fileName)));

    // The overlapping copies: a share of every file's rows (the header kept).
    for (const copy of COPIES) {
      await mkdir(join(dir, copy.name));
      for (const [fileName, [header, ...rows]] of files) {
        await writeCsv(join(dir, copy.name, fileName), [header!, ...rows.slice(Math.floor(rows.length * copy.from), Math.ceil(rows.length * copy.to))]);
      }
    }
    // The corrected copy: the whole files, some item prices, payment values and estimated deliveries changed.
    await mkdir(join(dir, 'corrected'));
    const corrections = { order_items: 0, payments: 0, orders: 0 };
    for (const [fileName, [header, ...rows]] of files) {
      const changed = rows.map((row) => [...row]);
      const pick = () => changed[Math.floor(random() * changed.length)]!;
      const at = (column: string) => header!.indexOf(column);
      const cents = (value: string, delta: number) => (Math.max(0, Math.round(Number(value) * 100) + delta) / 100).toFixed(2);
      const touched = new Set<string[]>();
      const correct = (count: number, change: (row: string[]) => boolean): number => {
        for (let i = 0; i < count * 4 && touched.size < count; i++) {
          const row = pick();
          if (!touched.has(row) && change(row)) touched.add(row);
        }
        return touched.size;
      };
      if (fileName === 'olist_order_items_dataset.csv') corrections.order_items = correct(15, (r) => Number(r[at('price')]) > 1 && ((r[at('price')] = cents(r[at('price')]!, 123)), true));
      if (fileName === 'olist_order_payments_dataset.csv') corrections.payments = correct(10, (r) => Number(r[at('payment_value')]) > 1 && ((r[at('payment_value')] = cents(r[at('payment_value')]!, -50)), true));
      if (fileName === 'olist_orders_dataset.csv') {
        corrections.orders = correct(8, (r) => /^\d{4}-\d\d-\d\d 00:00:00$/.test(r[at('order_estimated_delivery_date')]!) && ((r[at('order_estimated_delivery_date')] = r[at('order_estimated_delivery_date')]!.replace(/-(\d\d) /, (_, d: string) => `-${d === '01' ? '02' : '01'} `)), true));
      }
      await writeCsv(join(dir, 'corrected', fileName), [header!, ...changed]);
    }
    const correctedRows = corrections.order_items + corrections.payments + corrections.orders;

    // The reference: one loader on the whole files, then the corrected copy.
    const { system: clean, db: cleanDb } = await startSystem('clean');
    const cleanLoad = await loadDirectory({ dir: join(dir, 'all'), apiUrl: clean.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000 });
    expectEveryRowAccountedFor(cleanLoad);
    const cleanCorrected = await loadDirectory({ dir: join(dir, 'corrected'), apiUrl: clean.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000 });
    expectEveryRowAccountedFor(cleanCorrected);
    // A change to a defective or repeated row is not a correction: most are.
    expect(cleanCorrected.totals.accepted).toBeGreaterThan(correctedRows / 2);
    await clean.caughtUp();
    await clean.stop();
    const reference = await finalState(cleanDb.url, clean.duckdbPath);

    // The race: four loaders at once, then the corrected copy.
    const { system, db } = await startSystem('raced');
    const started = performance.now();
    const raced = await Promise.all(COPIES.map((copy) =>
      loadDirectory({ dir: join(dir, copy.name), apiUrl: system.apiUrl, apiKey: ADMIN_KEY, batchSize: copy.batchSize, concurrency: 3, qualityWaitMs: 180_000 })));
    const raceMs = Math.round(performance.now() - started);
    raced.forEach(expectEveryRowAccountedFor);
    expect(new Set(raced.map((s) => s.runId)).size).toBe(COPIES.length);
    const corrected = await loadDirectory({ dir: join(dir, 'corrected'), apiUrl: system.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000 });
    expectEveryRowAccountedFor(corrected);
    const outcomes = (summary: LoadSummary) => summary.files.map((f) => [f.file, f.rowsRead, f.accepted, f.duplicates, f.rejected]);
    expect(outcomes(corrected)).toEqual(outcomes(cleanCorrected));
    await system.caughtUp();
    await system.stop();
    const state = await finalState(db.url, system.duckdbPath);

    process.stdout.write(
      `  ${COPIES.length} loaders raced for ${raceMs} ms: ${raced.map((s, i) => `${COPIES[i]!.name} read ${s.totals.rowsRead}, accepted ${s.totals.accepted}, duplicates ${s.totals.duplicates}, rejected ${s.totals.rejected}`).join('; ')}\n` +
        `  then a copy with ${correctedRows} rows changed, ${corrected.totals.accepted} of them corrections (items ${corrections.order_items}, payments ${corrections.payments}, orders ${corrections.orders}); ${state.tables['domain events (id, stream, type)']!.rows} domain events\n`,
    );
    expect(state.duplicateEvents).toBe(0);
    // Between them, the racers accepted each row of the whole files once.
    const acceptedByRacers = raced.reduce((n, s) => n + s.totals.accepted, 0);
    expect(acceptedByRacers).toBe(cleanLoad.totals.accepted);
    const differences = Object.keys(reference.tables).filter((t) => JSON.stringify(state.tables[t]) !== JSON.stringify(reference.tables[t]))
      .map((t) => ({ table: t, raced: state.tables[t]?.rows, clean: reference.tables[t]?.rows }));
    expect(differences).toEqual([]);
    for (const t of ['core.fact_order_items', 'mart.monthly_revenue']) expect([t, reference.tables[t]!.rows > 0]).toEqual([t, true]);
  }, 900_000);
});
