/**
 * Hostile copies of good Olist files: bad rows of many kinds mixed in at random places, each one recorded with the
 * line it is on and what its rejection must say. The kinds of the columns are this module's own reading of the
 * files (not the row parser's), so the test does not grade the code with its own rules.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SOURCE_FILES, type SourceFile, type SourceFileName } from '@olist/ingestion';

type Kind = 'id' | 'int' | 'number' | 'money' | 'date' | 'zip' | 'uf' | 'status' | 'text';

const KINDS: Readonly<Record<string, Kind>> = {
  product_category_name: 'id', product_category_name_english: 'text',
  seller_id: 'id', seller_zip_code_prefix: 'zip', seller_city: 'text', seller_state: 'uf',
  product_id: 'id', product_name_lenght: 'number', product_description_lenght: 'number', product_photos_qty: 'number',
  product_weight_g: 'number', product_length_cm: 'number', product_height_cm: 'number', product_width_cm: 'number',
  customer_id: 'id', customer_unique_id: 'id', customer_zip_code_prefix: 'zip', customer_city: 'text', customer_state: 'uf',
  geolocation_zip_code_prefix: 'zip', geolocation_lat: 'number', geolocation_lng: 'number', geolocation_city: 'text', geolocation_state: 'uf',
  order_id: 'id', order_status: 'status', order_purchase_timestamp: 'date', order_approved_at: 'date', order_delivered_carrier_date: 'date',
  order_delivered_customer_date: 'date', order_estimated_delivery_date: 'date',
  order_item_id: 'int', shipping_limit_date: 'date', price: 'money', freight_value: 'money',
  payment_sequential: 'int', payment_type: 'text', payment_installments: 'int', payment_value: 'money',
  review_id: 'id', review_score: 'int', review_comment_title: 'text', review_comment_message: 'text',
  review_creation_date: 'date', review_answer_timestamp: 'date',
};

/** The kinds of bad row, each with the columns it makes a row bad in. */
export const BAD_ROW_KINDS = [
  'random bytes', 'invalid UTF-8', 'unterminated quote', 'too few values', 'too many values', '5 MB field', 'NUL byte',
  'number out of range or not decimal', 'impossible date', '9-digit zip prefix', 'emoji in a key or number', 'right-to-left mark in a key or number',
  'key too long',
] as const;
export type BadRowKind = (typeof BAD_ROW_KINDS)[number];

/** The odd values good rows may hold: they must be accepted. */
export const ODD_GOOD_KINDS = ['emoji in free text', 'right-to-left marks in free text', '-0 as an amount'] as const;

export interface Injection {
  readonly file: SourceFileName;
  /** The physical line the bad row is on. */
  readonly line: number;
  readonly kind: BadRowKind;
  /** The column one of its reasons must name; absent: any of the file's columns. */
  readonly column?: string;
  /** What that reason must say, after the column's name. */
  readonly reason?: RegExp;
}

const EMOJI = ['😀', '🚚', '👍🏽', '🇧🇷', '❤️', '🧾'];
const RTL = ['\u200f', '\u202e', '\u200e', '\u061c', '\u2067'];
const BAD_NUMBERS = ['1e309', '-1e309', 'NaN', '-NaN', 'Infinity', '0x1F', '1_000'];
const BAD_DATES = ['2018-02-30 10:00:00', '2017-02-29 08:30:00', '2018-04-31', '2017-13-01 00:00:00', '2018-06-15 24:00:00', '2018-06-15 23:60:00', '2018-00-10 10:00:00'];
const LONG_ZIPS = ['123456789', '013101000', '01310-100', '000000001'];
/** Byte sequences that are never UTF-8: a lone continuation byte, a cut sequence, an overlong form, an encoded surrogate, 0xFF. */
const NOT_UTF8 = [[0x80], [0xbf], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xfe], [0xf4, 0x90, 0x80, 0x80]];
export const HUGE_FIELD_BYTES = 5 * 1024 * 1024;

const columnsOf = (file: SourceFile, ...kinds: Kind[]): string[] => file.columns.filter((c) => kinds.includes(KINDS[c]!));
/** Columns with rules a stray character breaks (not free text). */
const strictColumns = (file: SourceFile): string[] => columnsOf(file, 'id', 'int', 'number', 'money', 'date', 'zip', 'uf', 'status');

interface Template {
  readonly values: string[];
}

interface BadRow {
  readonly bytes: Buffer;
  readonly column?: string;
  readonly reason?: RegExp;
}

type Random = () => number;

const insertAt = (value: string, inserted: string, random: Random): string => {
  const at = Math.floor(random() * (value.length + 1));
  return value.slice(0, at) + inserted + value.slice(at);
};
/** A row of plain values: no delimiter, quote or line break left in them, so the row is one line and quotes are only where a kind puts them. */
const plain = (values: ReadonlyArray<string>): string[] => values.map((v) => v.replace(/[",\r\n]/g, ' '));
const line = (values: ReadonlyArray<string>): Buffer => Buffer.from(values.join(','));

/** How each kind makes a bad row out of a good one (or out of nothing), or undefined where the file has no column it applies to. */
const MAKERS: Readonly<Record<BadRowKind, (file: SourceFile, template: Template, random: Random) => BadRow | undefined>> = {
  'random bytes': (_file, _t, random) => {
    const bytes = Buffer.alloc(10 + Math.floor(random() * 190));
    for (let i = 0; i < bytes.length; i++) {
      let b = Math.floor(random() * 256);
      // No line break (it would be two rows) and no quote (an unterminated quote is a kind of its own).
      while (b === 0x0a || b === 0x0d || b === 0x22) b = Math.floor(random() * 256);
      bytes[i] = b;
    }
    bytes[Math.floor(random() * bytes.length)] = 0xff; // never UTF-8, so never a valid row by chance
    return { bytes };
  },
  'invalid UTF-8': (file, t, random) => {
    const i = Math.floor(random() * file.columns.length);
    const values = plain(t.values);
    const v = values[i]!;
    const at = Math.floor(random() * (v.length + 1));
    const bad = NOT_UTF8[Math.floor(random() * NOT_UTF8.length)]!;
    const before = [...values.slice(0, i), v.slice(0, at)].join(',');
    const after = [v.slice(at), ...values.slice(i + 1)].join(',');
    return { bytes: Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]), column: file.columns[i], reason: /is not valid UTF-8/ };
  },
  'unterminated quote': (file, t, random) => {
    const i = Math.floor(random() * file.columns.length);
    const values = plain(t.values);
    values[i] = `"${values[i]}`;
    return { bytes: line(values), column: file.columns[i], reason: /quote .*never closed/ };
  },
  'too few values': (file, t, random) => {
    const keep = 1 + Math.floor(random() * (file.columns.length - 1));
    return { bytes: line(plain(t.values).slice(0, keep)), column: file.columns[keep], reason: /missing/ };
  },
  'too many values': (file, t, random) => {
    const extra = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => `extra${k}`);
    return { bytes: line([...plain(t.values), ...extra]), column: file.columns.at(-1), reason: new RegExp(`${extra.length} after`) };
  },
  '5 MB field': (file, t, random) => {
    const i = Math.floor(random() * file.columns.length);
    const values = plain(t.values);
    values[i] = 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(HUGE_FIELD_BYTES / 26)).slice(0, HUGE_FIELD_BYTES);
    return { bytes: line(values), column: file.columns[i], reason: new RegExp(`is ${HUGE_FIELD_BYTES.toLocaleString('en-US')} bytes long`) };
  },
  'NUL byte': (file, t, random) => {
    const i = Math.floor(random() * file.columns.length);
    const values = plain(t.values);
    values[i] = insertAt(values[i]!, '\0', random);
    return { bytes: line(values), column: file.columns[i], reason: /NUL/ };
  },
  'number out of range or not decimal': (file, t, random) =>
    pick(file, t, random, columnsOf(file, 'int', 'number', 'money', 'zip'), () => BAD_NUMBERS[Math.floor(random() * BAD_NUMBERS.length)]!, /is not (a number|an integer|an amount|a 5-digit zip prefix)/),
  'impossible date': (file, t, random) => pick(file, t, random, columnsOf(file, 'date'), () => BAD_DATES[Math.floor(random() * BAD_DATES.length)]!, /is not a timestamp/),
  '9-digit zip prefix': (file, t, random) => pick(file, t, random, columnsOf(file, 'zip'), () => LONG_ZIPS[Math.floor(random() * LONG_ZIPS.length)]!, /is not a 5-digit zip prefix/),
  'emoji in a key or number': (file, t, random) => pick(file, t, random, strictColumns(file), (v) => insertAt(v, EMOJI[Math.floor(random() * EMOJI.length)]!, random), /is not/),
  'right-to-left mark in a key or number': (file, t, random) => pick(file, t, random, strictColumns(file), (v) => insertAt(v, RTL[Math.floor(random() * RTL.length)]!, random), /is not/),
  // Random, so that PostgreSQL cannot compress it under its index row size as it does a repeated character.
  'key too long': (file, t, random) => pick(file, t, random, columnsOf(file, 'id'), () => randomText(200 + Math.floor(random() * 8_000), random), /characters long, over the 128/),
};

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number, random: Random): string => Array.from({ length }, () => ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)]).join('');

/** The template with one of `columns` given a bad value, the reason naming that column. */
const pick = (file: SourceFile, t: Template, random: Random, columns: ReadonlyArray<string>, bad: (value: string) => string, reason: RegExp): BadRow | undefined => {
  if (columns.length === 0) return undefined;
  const column = columns[Math.floor(random() * columns.length)]!;
  const values = plain(t.values);
  const i = file.columns.indexOf(column as never);
  values[i] = bad(values[i]!);
  return { bytes: line(values), column, reason };
};

interface SourceRecord {
  readonly values: string[];
  readonly raw: string;
}

/** A good file's records with their text, and the line break it ends its lines with (that of its header: the files have no other). */
const readRecords = async (path: string): Promise<{ bom: boolean; eol: string; records: SourceRecord[] }> => {
  const bytes = await readFile(path);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.subarray(bom ? 3 : 0).toString('utf8');
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const parsed = parse(text, { raw: true, record_delimiter: eol, relax_column_count: true, relax_quotes: true }) as unknown as Array<{ record: string[]; raw: string }>;
  // csv-parse's raw text of a record ends with the first character of a CRLF only.
  return { bom, eol, records: parsed.map((p) => ({ values: p.record, raw: eol === '\r\n' && p.raw.endsWith('\r') ? `${p.raw}\n` : p.raw })) };
};

const lineBreaks = (text: string): number => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/**
 * Rewrites some good rows of `dir` in place with values that are odd but valid (emoji and right-to-left marks in free
 * text, "-0" as an amount): a hostile copy and the clean load both read them, and both must accept them.
 */
export const addOddGoodValues = async (dir: string, random: Random): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {};
  const odd: Partial<Record<SourceFileName, (file: SourceFile, values: string[]) => string | undefined>> = {
    reviews: (_f, v) => {
      const i = random() < 0.5 ? 3 : 4;
      v[i] = insertAt(v[i] ?? '', random() < 0.5 ? EMOJI[Math.floor(random() * EMOJI.length)]! : `\u200fשלום\u200f ${RTL[Math.floor(random() * RTL.length)]}`, random);
      return v[i]!.match(/[\u0590-\u05ff\u200e-\u202e\u2066-\u2069\u061c]/) ? 'right-to-left marks in free text' : 'emoji in free text';
    },
    customers: (_f, v) => ((v[3] = `${v[3]} ${EMOJI[Math.floor(random() * EMOJI.length)]}`), 'emoji in free text'),
    sellers: (_f, v) => ((v[2] = `\u200f${v[2]}\u200f`), 'right-to-left marks in free text'),
    categories: (_f, v) => ((v[1] = `${v[1]} ✨`), 'emoji in free text'),
    order_items: (_f, v) => ((v[6] = random() < 0.5 ? '-0' : '-0.00'), '-0 as an amount'),
  };
  for (const file of SOURCE_FILES) {
    const change = odd[file.name];
    if (!change) continue;
    const path = join(dir, file.fileName);
    const { bom, eol, records } = await readRecords(path);
    const out = records.map((r, n) => {
      if (n === 0 || random() >= 0.1) return r.raw;
      const values = [...r.values];
      const kind = change(file, values);
      if (!kind) return r.raw;
      counts[kind] = (counts[kind] ?? 0) + 1;
      const text = stringify([values], { record_delimiter: eol });
      return r.raw.endsWith('\n') || r.raw.endsWith('\r') ? text : text.slice(0, -eol.length);
    });
    await writeFile(path, Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(out.join(''))]));
  }
  return counts;
};

/**
 * Writes into `out` each file of `good` with `perFile` bad rows mixed in at random places (one 5 MB field per file
 * among them); returns where each bad row is and what its rejection must say.
 */
export const writeHostileCopy = async (good: string, out: string, perFile: number, random: Random): Promise<Injection[]> => {
  const injections: Injection[] = [];
  for (const file of SOURCE_FILES) {
    const { bom, eol, records } = await readRecords(join(good, file.fileName));
    const [header, ...rows] = records;
    const kinds = BAD_ROW_KINDS.filter((k) => k !== '5 MB field' && MAKERS[k](file, rows[0]!, () => 0.5) !== undefined);
    // Where each bad row goes: after which good row (0: right after the header).
    const slots = Array.from({ length: perFile }, () => Math.floor(random() * (rows.length + 1))).sort((a, b) => a - b);
    const huge = Math.floor(random() * perFile);
    const pieces: Buffer[] = [bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(header!.raw)];
    let lines = 1 + lineBreaks(header!.raw);
    let next = 0;
    const withEol = (raw: string): string => (/[\r\n]$/.test(raw) ? raw : raw + eol);
    for (let g = 0; g <= rows.length; g++) {
      while (next < slots.length && slots[next] === g) {
        const kind: BadRowKind = next === huge ? '5 MB field' : kinds[Math.floor(random() * kinds.length)]!;
        const template = rows[Math.floor(random() * rows.length)]!;
        const bad = MAKERS[kind](file, template, random)!;
        injections.push({ file: file.name, line: lines, kind, ...(bad.column ? { column: bad.column } : {}), ...(bad.reason ? { reason: bad.reason } : {}) });
        const last = g === rows.length && next === slots.length - 1;
        // The file's last line sometimes has no line break (as most Olist files end).
        pieces.push(bad.bytes, Buffer.from(last && random() < 0.5 ? '' : eol));
        lines += 1;
        next++;
      }
      if (g < rows.length) {
        const raw = g === rows.length - 1 && next < slots.length ? withEol(rows[g]!.raw) : rows[g]!.raw;
        pieces.push(Buffer.from(raw));
        lines += lineBreaks(raw);
      }
    }
    await writeFile(join(out, file.fileName), Buffer.concat(pieces));
  }
  return injections;
};
