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
      expect(rows.filter((r) => r.defects !== undefined)).toEqual([]);
      expect(source.blankLines).toBe(0);
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
      // Line breaks inside values of rows as wide as the header only: a short or long row spanning lines reads as a quote never closed.
      else if (kind < 0.45 && width === 3) v = `a${pick([',', '"', ' ', 'é'])}b${pick(breaks)}c${rand() < 0.3 ? pick(breaks) + pick(breaks) : ''}`;
      else if (kind < 0.45) v = `a${pick([',', '"', ' ', 'é'])}b`;
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

  it('makes a line whose quote is never closed one record, telling where the quote opened, and reads on from the next line', async () => {
    const path = join(dir, 'open-quote.csv');
    await writeFile(path, 'a,b\n1,2\n"oops,3\n4,5\n6,"never\n');
    const { records } = await readAll(path);
    expect(records).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['"oops,3'], defects: [{ position: 0, kind: 'unclosed-quote' }] },
      { line: 4, values: ['4', '5'] },
      { line: 5, values: ['6', '"never'], defects: [{ position: 1, kind: 'unclosed-quote' }] },
    ]);
  });

  it('tells a quote swallowing the rows after it from a value spanning lines, whatever the quotes after it', async () => {
    const path = join(dir, 'swallowing-quotes.csv');
    const rows = [
      'id,title,message,date',
      '"r1","ok","chegou\r\nno prazo",2018-01-01', // a comment over two lines: one record
      '"r2","o\'k,"fine",2018-01-02', // a stray quote closing on its line: a (short) row of its own
      '"r3","x","y",2018-01-03',
      'r4,"unclosed,a,b', // swallows rows up to a quote closing a value: the values add up to the header's
      'r5,"x",y,2018-01-05',
      'r6,"multi\nline",ok,2018-01-06',
      '"r7",a,b,"2018-01-07',
    ];
    await writeFile(path, rows.join('\r\n'));
    const { records } = await readAll(path, 5);
    expect(records.map((r) => [r.line, r.values, r.defects ?? []])).toEqual([
      [1, ['id', 'title', 'message', 'date'], []],
      [2, ['r1', 'ok', 'chegou\r\nno prazo', '2018-01-01'], []],
      [4, ['r2', '"o\'k,"fine"', '2018-01-02'], []],
      [5, ['r3', 'x', 'y', '2018-01-03'], []],
      [6, ['r4', '"unclosed,a,b'], [{ position: 1, kind: 'unclosed-quote' }]],
      [7, ['r5', 'x', 'y', '2018-01-05'], []],
      [8, ['r6', 'multi\nline', 'ok', '2018-01-06'], []],
      [10, ['r7', 'a', 'b', '"2018-01-07'], [{ position: 3, kind: 'unclosed-quote' }]],
    ]);
  });

  it('tells two rows with a quote never closed, the second closing the first\u2019s, from a value spanning lines', async () => {
    const path = join(dir, 'quote-pairs.csv');
    await writeFile(path, [
      'id,order,score,title,message,created,answered',
      'r1,o1,4,",,2017-05-02 00:00:00,2017-05-02 10:27:55', // a quote before an empty value…
      'r2,o2,4,",,2017-05-26 00:00:00,2017-05-27 18:38:30', // …closed by the same in the next row: 7 values over two lines
      'r3,o3,5,,"Produto de ótima qualidade,2017-11-04 00:00:00,2017-11-04 06:07:50',
      'r4,o4,5,,",2017-09-02 00:00:00,2017-09-02 09:34:15',
      'r5,o5,5,ok,"chegou,\r\nantes",2018-01-01 00:00:00,', // a value spanning lines, ending with a delimiter: one record
      '',
    ].join('\r\n'));
    const { records } = await readAll(path);
    expect(records.map((r) => [r.line, r.defects?.map((d) => `${d.kind}@${d.position}`) ?? []])).toEqual([
      [1, []], [2, ['unclosed-quote@3']], [3, ['unclosed-quote@3']], [4, ['unclosed-quote@4']], [5, ['unclosed-quote@4']], [6, []],
    ]);
    expect(records[5]!.values).toEqual(['r5', 'o5', '5', 'ok', 'chegou,\r\nantes', '2018-01-01 00:00:00', '']);
  });

  it('reads a file full of quotes never closed, and a 5 MB value, each costing its own line, in one pass', async () => {
    const path = join(dir, 'many-open-quotes.csv');
    const lines = ['a,b,c'];
    for (let i = 0; i < 20_000; i++) lines.push(i % 10 === 3 ? `${i},"open,${i}` : i === 5_000 ? `${i},${'x'.repeat(5 << 20)},z` : `${i},v${i},w`);
    await writeFile(path, lines.join('\n'));
    const t0 = Date.now();
    const { records } = await readAll(path);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(records.length).toBe(20_001);
    expect(records.filter((r) => r.defects?.[0]?.kind === 'unclosed-quote').map((r) => r.line)).toEqual(lines.flatMap((l, i) => (l.includes('"') ? [i + 1] : [])));
    expect(records[5_001]).toMatchObject({ line: 5_002, values: ['5000', `${'x'.repeat(256)}…`, 'z'], defects: [{ position: 1, kind: 'too-large', bytes: 5 << 20 }] });
    expect(records[4]).toEqual({ line: 5, values: ['3', '"open,3'], defects: [{ position: 1, kind: 'unclosed-quote' }] });
  });

  it('tells the values that are not UTF-8 and those too large to post, cut', async () => {
    const path = join(dir, 'bytes.csv');
    const huge = 'x'.repeat(70_000);
    await writeFile(path, Buffer.concat([Buffer.from('\ufeffa,b,c\nSão Paulo,ok,\u{1F69A}\ns'), Buffer.from([0xe3]), Buffer.from(`o,${huge},\u200f\n`)]));
    const { records } = await readAll(path, 1000);
    expect(records).toEqual([
      { line: 1, values: ['a', 'b', 'c'] },
      { line: 2, values: ['São Paulo', 'ok', '\u{1F69A}'] },
      { line: 3, values: ['s\ufffdo', `${'x'.repeat(256)}…`, '\u200f'], defects: [{ position: 0, kind: 'not-utf8' }, { position: 1, kind: 'too-large', bytes: 70_000 }] },
    ]);
  });

  it('reads a Windows-1252 file\u2019s bytes as its characters', async () => {
    const path = join(dir, 'cp1252.csv');
    await writeFile(path, Buffer.from([...Buffer.from('a;b\n'), 0x93, 0x53, 0xe3, 0x6f, 0x94, 0x3b, 0x80, 0x0a]));
    const source = new CsvSource(path, { encoding: 'windows-1252', delimiter: ';' });
    const records: CsvRecord[] = [];
    for await (const r of source.records()) records.push(r);
    expect(records).toEqual([{ line: 1, values: ['a', 'b'] }, { line: 2, values: ['“São”', '€'] }]);
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
