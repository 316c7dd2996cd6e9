import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_FILES } from '@olist/ingestion';
import { CsvSource, LineBreakCounter, type CsvRecord } from '../src/csv-source.js';

const SAMPLE = process.env.OLIST_SAMPLE_DIR ?? '/work/shared/olist-sample';
const haveSample = existsSync(join(SAMPLE, 'README.md'));
if (!haveSample) console.warn(`[loader] real-sample CSV tests skipped: ${SAMPLE} is absent (set OLIST_SAMPLE_DIR)`);

const readAll = async (path: string, highWaterMark?: number): Promise<{ records: CsvRecord[]; source: CsvSource }> => {
  const source = new CsvSource(path, { highWaterMark });
  const records: CsvRecord[] = [];
  for await (const r of source.records()) records.push(r);
  return { records, source };
};

/** `| olist_orders_dataset.csv | 4,071 |` rows of the sample README. */
const readmeCounts = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const m of readFileSync(join(SAMPLE, 'README.md'), 'utf8').matchAll(/^\|\s*([\w.]+\.csv)\s*\|\s*([\d,]+)/gm)) {
    counts.set(m[1]!, Number(m[2]!.replace(/,/g, '')));
  }
  return counts;
};

(haveSample ? describe : describe.skip)(`CsvSource on the real Olist sample (${SAMPLE})`, () => {
  it('reads as many data rows as the sample README lists, every one with the header\u2019s column count', async () => {
    const counts = readmeCounts();
    expect(counts.size).toBe(9);
    for (const file of SOURCE_FILES) {
      const { records, source } = await readAll(join(SAMPLE, file.fileName));
      const [header, ...rows] = records;
      expect({ file: file.name, header: header!.values }).toEqual({ file: file.name, header: [...file.columns] });
      expect({ file: file.fileName, rows: rows.length }).toEqual({ file: file.fileName, rows: counts.get(file.fileName) });
      expect(rows.filter((r) => r.values.length !== file.columns.length)).toEqual([]);
      expect(source.parseErrors).toEqual([]);
      expect(header!.line).toBe(1);
      expect(rows[0]!.line).toBe(2);
    }
  });

  it('reads the reviews file as 6,123 records although it has more physical lines', async () => {
    const path = join(SAMPLE, 'olist_order_reviews_dataset.csv');
    const physicalLines = readFileSync(path, 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
    const { records } = await readAll(path);
    expect(records.length - 1).toBe(6123);
    expect(physicalLines).toBeGreaterThan(6124);
  });

  it('strips the UTF-8 BOM from the translation file header', async () => {
    const path = join(SAMPLE, 'product_category_name_translation.csv');
    expect([...readFileSync(path).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the quirk is really there
    const { records } = await readAll(path);
    expect(records[0]!.values).toEqual(['product_category_name', 'product_category_name_english']);
    expect(records[0]!.values[0]!.charCodeAt(0)).not.toBe(0xfeff);
    expect(records[1]!.values).toEqual(['beleza_saude', 'health_beauty']);
  });

  it('gives each review the physical line it starts on, multi-line comments included (checked against the raw file)', async () => {
    const path = join(SAMPLE, 'olist_order_reviews_dataset.csv');
    const raw = readFileSync(path, 'utf8');
    const { records } = await readAll(path, 4096);
    const rows = records.slice(1);
    const multiLine = rows.filter((r) => r.values.some((v) => /[\r\n]/.test(v)));
    expect(multiLine.length).toBeGreaterThan(100);

    // Independently: find where the record's text starts and count the newlines before it.
    const lineOf = (r: CsvRecord): number => {
      const [reviewId, orderId] = r.values;
      const m = new RegExp(`(?:^|\\n)"?${reviewId}"?,"?${orderId}"?,`).exec(raw);
      if (!m) throw new Error(`review ${reviewId} not found`);
      const start = m.index + (m[0].startsWith('\n') ? 1 : 0);
      return raw.slice(0, start).split('\n').length;
    };
    const first = multiLine[0]!;
    expect(first.values[4]).toContain('\r\n'); // the comment's own line break is kept
    expect(first.line).toBe(lineOf(first));
    for (const r of multiLine) expect({ id: r.values[0], line: r.line }).toEqual({ id: r.values[0], line: lineOf(r) });
    // Records after a multi-line one are shifted: spot-check every 97th row, and the last.
    for (const r of [...rows.filter((_, i) => i % 97 === 0), rows.at(-1)!]) {
      expect({ id: r.values[0], line: r.line }).toEqual({ id: r.values[0], line: lineOf(r) });
    }
    const last = rows.at(-1)!;
    expect(last.line).toBeGreaterThan(rows.length + 1);
  });

  it('returns values in header order, quotes removed, whatever the quoting', async () => {
    const { records } = await readAll(join(SAMPLE, 'olist_orders_dataset.csv'));
    const [header, first] = records;
    const row = Object.fromEntries(header!.values.map((c, i) => [c, first!.values[i]]));
    // First line: e481f51c…,"9ef432eb…",delivered,… (mixed quoting)
    expect(row).toMatchObject({
      order_id: 'e481f51cbdc54678b7cc49136f2d6af7',
      customer_id: '9ef432eb6251297304e76186b10a928d',
      order_status: 'delivered',
      order_purchase_timestamp: '2017-10-02 10:56:33',
      order_estimated_delivery_date: '2017-10-18 00:00:00',
    });
    const { records: customers } = await readAll(join(SAMPLE, 'olist_customers_dataset.csv'));
    expect(customers[1]!.values).toEqual(['06b8999e2fba1a1fbc88172c00ba8bc7', '861eff4711a542e4b93843c6dd7febb0', '14409', 'franca', 'SP']);
  });
});

// ---- Synthetic files: lines known by construction ------------------------------------------------------

/** A tiny deterministic PRNG (mulberry32) so failures reproduce. */
const prng = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Built {
  text: string;
  expected: Array<{ line: number; values: string[] }>;
  blankLines: number;
}

/** Writes records with one record delimiter, random quoting, embedded line breaks of any style, blank lines. */
const build = (rand: () => number, eol: string): Built => {
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rand() * xs.length)]!;
  const breaks = ['\n', '\r\n', '\r'];
  let text = rand() < 0.5 ? '\uFEFF' : '';
  let line = 1;
  let blankLines = 0;
  const expected: Built['expected'] = [];
  const records = 5 + Math.floor(rand() * 40);
  for (let r = 0; r < records; r++) {
    if (r > 0 && rand() < 0.15) {
      text += eol; // a blank line
      line++;
      blankLines++;
    }
    const width = r === 0 ? 3 : pick([3, 3, 3, 2, 4]); // some short and long rows
    const values: string[] = [];
    const cells: string[] = [];
    for (let c = 0; c < width; c++) {
      const kind = rand();
      let v: string;
      if (kind < 0.2) v = '';
      else if (kind < 0.45) v = `a${pick([',', '"', ' ', 'é'])}b${pick(breaks)}c${rand() < 0.3 ? pick(breaks) + pick(breaks) : ''}`;
      else v = `v${r}_${c}${pick(['', 'ç', ' x'])}`;
      const mustQuote = /[",\r\n]/.test(v) || v === '';
      const quoted = mustQuote ? v !== '' || rand() < 0.5 : rand() < 0.4;
      cells.push(quoted ? `"${v.replace(/"/g, '""')}"` : v);
      values.push(v);
    }
    // A record whose only value is empty would be a blank line: give it a delimiter.
    if (values.length === 1 && values[0] === '') continue;
    expected.push({ line, values });
    const recordText = cells.join(',');
    text += recordText;
    line += new LineBreakCounter().count(recordText).total;
    if (r < records - 1 || rand() < 0.5) {
      text += eol;
      line++;
    }
  }
  return { text, expected, blankLines };
};

describe('CsvSource on synthetic files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loader-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('gets start lines, values and blank lines right with %s records, at any chunk size', async (_name, eol) => {
    for (let seed = 1; seed <= 25; seed++) {
      const built = build(prng(seed * 31 + eol.length), eol);
      const path = join(dir, `s${seed}.csv`);
      await writeFile(path, built.text);
      for (const hwm of [1, 7, 65536]) {
        const { records, source } = await readAll(path, hwm);
        const got = records.map((r) => ({ line: r.line, values: r.values }));
        expect({ seed, hwm, got }).toEqual({ seed, hwm, got: built.expected });
        expect(source.blankLines).toBe(built.blankLines);
        expect(source.bytesRead).toBe(Buffer.byteLength(built.text));
      }
    }
  });

  it('keeps stray quotes inside unquoted fields', async () => {
    const path = join(dir, 'quotes.csv');
    await writeFile(path, 'a,b\nsay "hi",2\n"x"y,3\n');
    const { records } = await readAll(path);
    expect(records.map((r) => r.values)).toEqual([['a', 'b'], ['say "hi"', '2'], ['"x"y', '3']]);
  });

  it('turns a quote left open at the end of the file into one last record holding the raw text', async () => {
    const path = join(dir, 'open-quote.csv');
    await writeFile(path, 'a,b\n1,2\n"oops,3\n4,5\n');
    const { records, source } = await readAll(path);
    expect(records.map((r) => [r.line, r.values])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['"oops,3\n4,5']],
    ]);
    expect(records[2]!.parseError).toMatch(/Quote Not Closed/);
    expect(source.parseErrors).toEqual([{ line: 3, message: expect.stringMatching(/Quote Not Closed/) }]);
  });

  it('fails on a file it cannot open', async () => {
    await expect(readAll(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('yields nothing for an empty file', async () => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    expect((await readAll(path)).records).toEqual([]);
  });
});
