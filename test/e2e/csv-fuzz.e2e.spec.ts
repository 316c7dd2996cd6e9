import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHashes, MART_TABLES, STAR_SCHEMA_TABLES } from '@olist/analytics';
import { generateDataset } from '@olist/generator';
import { SOURCE_FILES, sourceFile } from '@olist/ingestion';
import type { LoadSummary } from '@olist/loader';
import { seededRandom } from '../support/child-apps.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';
import { addOddGoodValues, BAD_ROW_KINDS, writeHostileCopy, type Injection } from '../support/hostile-csv.js';

/** Random but reproducible: CSV_FUZZ_SEED=<the seed a run printed> replays it. */
const SEED = process.env.CSV_FUZZ_SEED ? Number(process.env.CSV_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const ORDERS = 120;
/** Bad rows per file: 9 × 1,112 = 10,008. */
const BAD_PER_FILE = 1_112;
const OLIST_DW = fileURLToPath(new URL('../../bin/olist-dw.js', import.meta.url));

interface QuarantinedRow {
  readonly file: string;
  readonly line: number;
  readonly reasons: ReadonlyArray<string>;
}

const quarantineOf = async (api: EmbeddedApi, runId: string): Promise<QuarantinedRow[]> => {
  const rows: QuarantinedRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const res = await fetch(`${api.url}/v1/quarantine?runId=${runId}&limit=1000&offset=${offset}`, { headers: api.headers });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { total: number; rows: QuarantinedRow[] };
    rows.push(...page.rows);
    if (rows.length >= page.total || page.rows.length === 0) return rows;
  }
};

/** `olist-dw load DIR` as a user runs it: its exit code and what it printed. */
const loadCommand = (dir: string, api: EmbeddedApi): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OLIST_DW, 'load', dir, '--api', api.url, '--no-progress', '--wait-quality', '0', '--log-level', 'silent'], {
      env: { ...process.env, OLIST_DW_API_KEY: api.adminKey },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

describe('hostile CSV files', () => {
  let work: string;
  let good: string;
  let hostile: string;
  let injections: Injection[];
  let hostileApi: EmbeddedApi;
  let cleanApi: EmbeddedApi;

  beforeAll(async () => {
    const random = seededRandom(SEED);
    work = await mkdtemp(join(tmpdir(), 'olist-csv-fuzz-'));
    good = join(work, 'good');
    hostile = join(work, 'hostile');
    await mkdir(hostile);
    await generateDataset({ orders: ORDERS, seed: SEED % 1000, outDir: good });
    const odd = await addOddGoodValues(good, random);
    injections = await writeHostileCopy(good, hostile, BAD_PER_FILE, random);
    process.stdout.write(`csv fuzz: seed ${SEED} (CSV_FUZZ_SEED=${SEED} replays it), ${ORDERS} orders, ${injections.length} bad rows; odd good values ${JSON.stringify(odd)}\n`);
    [hostileApi, cleanApi] = await Promise.all([startEmbeddedApi(), startEmbeddedApi()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([hostileApi?.close(), cleanApi?.close()]);
    await rm(work, { recursive: true, force: true });
  });

  it('refuses, through the CLI, a file that is not CSV, an empty file, a header-only file and a missing file: a clear message, exit 1, nothing written', async () => {
    const before = (await hostileApi.eventIds()).length;
    const variant = async (name: string, change: (dir: string) => Promise<void>): Promise<string> => {
      const dir = join(work, name);
      await cp(good, dir, { recursive: true });
      await change(dir);
      return dir;
    };
    const cases = [
      {
        dir: await variant('not-csv', (d) => writeFile(join(d, 'olist_orders_dataset.csv'), Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n', 'latin1'), Buffer.from([0, 1, 2, 0xff])]))),
        message: 'olist_orders_dataset.csv: not a CSV file of orders: its first line names none of its columns',
      },
      { dir: await variant('empty', (d) => writeFile(join(d, 'olist_order_payments_dataset.csv'), '')), message: 'olist_order_payments_dataset.csv: the file is empty' },
      {
        dir: await variant('header-only', (d) => writeFile(join(d, 'olist_order_reviews_dataset.csv'), `${sourceFile('reviews')!.columns.join(',')}\r\n`)),
        message: 'olist_order_reviews_dataset.csv: the file has a header but no rows',
      },
      { dir: await variant('missing', (d) => rm(join(d, 'olist_sellers_dataset.csv'))), message: `not found: ${join(work, 'missing', 'olist_sellers_dataset.csv')}` },
    ];
    for (const c of cases) {
      const { code, stdout, stderr } = await loadCommand(c.dir, hostileApi);
      expect([c.dir, code]).toEqual([c.dir, 1]);
      expect(stderr).toContain(`error: nothing loaded: `);
      expect(stderr).toContain(c.message);
      expect(stdout).toContain('FAILED (BAD_FILES)');
    }
    // No run was started: not one event in the log.
    expect((await hostileApi.eventIds()).length).toBe(before);
  }, 120_000);

  it(`rejects each of ${BAD_PER_FILE * SOURCE_FILES.length} bad rows naming its file, line and field, and accepts every good row`, async () => {
    const t0 = Date.now();
    const [fuzzed, clean] = await Promise.all([hostileApi.loadAndSettle(hostile), cleanApi.loadAndSettle(good)]);
    const loadMs = Date.now() - t0;

    // Accounting per file: every row read is accepted, a duplicate or rejected; the bad rows are the only difference.
    const counts = (s: LoadSummary) => new Map(s.files.map((f) => [f.file, f]));
    const [h, c] = [counts(fuzzed), counts(clean)];
    for (const file of SOURCE_FILES) {
      const bad = injections.filter((i) => i.file === file.name).length;
      const fh = h.get(file.name)!;
      const fc = c.get(file.name)!;
      expect({ file: file.name, read: fh.rowsRead, accounted: fh.accepted + fh.duplicates + fh.rejected, failed: fh.failed, status: fh.status }).toEqual({
        file: file.name, read: fh.rowsRead, accounted: fh.rowsRead, failed: 0, status: 'loaded',
      });
      expect({ file: file.name, rejected: fc.rejected, reasons: fc.rejectionReasons }).toEqual({ file: file.name, rejected: 0, reasons: [] });
      expect({ file: file.name, read: fh.rowsRead, accepted: fh.accepted, duplicates: fh.duplicates, rejected: fh.rejected }).toEqual({
        file: file.name, read: fc.rowsRead + bad, accepted: fc.accepted, duplicates: fc.duplicates, rejected: bad,
      });
    }

    // Each bad row is in the quarantine on its own line, a reason naming its field.
    const quarantine = await quarantineOf(hostileApi, fuzzed.runId);
    const byLine = new Map(quarantine.map((q) => [`${q.file}:${q.line}`, q]));
    const wrong: Array<{ injection: Injection; found?: QuarantinedRow }> = [];
    for (const injection of injections) {
      const found = byLine.get(`${injection.file}:${injection.line}`);
      const columns: ReadonlyArray<string> = injection.column ? [injection.column] : sourceFile(injection.file)!.columns;
      const named = found?.reasons.some((r) => columns.some((col) => r.includes(col)) && (!injection.reason || injection.reason.test(r)));
      if (!named) wrong.push({ injection, ...(found ? { found } : {}) });
    }
    expect(wrong.slice(0, 10).map((w) => ({ ...w.injection, reason: String(w.injection.reason), found: w.found?.reasons }))).toEqual([]);
    expect(quarantine.length).toBe(injections.length);

    // Every good row is in: the star schema and the marts are those of the good files alone.
    const [fuzzedHashes, cleanHashes] = await Promise.all([
      contentHashes(await hostileApi.duckdb(), [...STAR_SCHEMA_TABLES, ...MART_TABLES]),
      contentHashes(await cleanApi.duckdb(), [...STAR_SCHEMA_TABLES, ...MART_TABLES]),
    ]);
    expect(fuzzedHashes).toEqual(cleanHashes);

    const perKind = Object.fromEntries(BAD_ROW_KINDS.map((k) => [k, injections.filter((i) => i.kind === k).length]));
    process.stdout.write(`csv fuzz: ${injections.length} bad rows rejected, ${fuzzed.totals.accepted} good rows accepted; both loads settled in ${loadMs} ms; per kind ${JSON.stringify(perKind)}\n`);
  }, 300_000);
});
