/**
 * The variants of the Olist files found in public copies of the dataset, made from a file as Kaggle has it: the
 * same rows, written as those copies write them. Each is unambiguous, so each must load as the original does.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export interface CsvVariant {
  readonly name: string;
  /** The variant's bytes, from the original file's text. */
  readonly make: (original: string) => Buffer;
  /** Its encoding, delimiter or header differ from Olist's: the loader says it read a variant. */
  readonly layout: boolean;
}

const table = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
const write = (rows: string[][], options: { delimiter?: string; quoted?: boolean } = {}): string =>
  stringify(rows, { delimiter: options.delimiter ?? ',', quoted: options.quoted ?? false, record_delimiter: '\r\n' });

const CP1252: Record<string, number> = Object.fromEntries(
  [...'€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ'].map((c, i) => [c, 0x80 + i]),
);

/** Text as Windows-1252 bytes (the text must hold only characters it has). */
export const windows1252 = (text: string): Buffer =>
  Buffer.from([...text].map((c) => {
    const code = c.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
    const byte = CP1252[c];
    if (byte === undefined) throw new Error(`U+${code.toString(16)} has no Windows-1252 byte`);
    return byte;
  }));

/** Characters Windows-1252 lacks (emoji, say) as "?", as a spreadsheet re-saving the file does. */
const representable = (text: string): string =>
  [...text].map((c) => (c.codePointAt(0)! <= 0xff || CP1252[c] !== undefined ? c : '?')).join('');

export const CSV_VARIANTS: ReadonlyArray<CsvVariant> = [
  {
    name: 'headers spelled "length"',
    layout: true,
    make: (o) => Buffer.from(o.replace(/_lenght\b/g, '_length')),
  },
  {
    name: 'headers in capitals, with blanks',
    layout: true,
    make: (o) => Buffer.from(write(table(o).map((row, i) => (i === 0 ? row.map((h) => ` ${h.toUpperCase()} `) : row)))),
  },
  {
    name: 'zip prefixes without their leading zero',
    layout: false,
    make: (o) => Buffer.from(write(table(o).map((row) => row.map((v) => (/^0\d{4}$/.test(v) ? v.slice(1) : v))))),
  },
  {
    name: 'columns in reverse order',
    layout: true,
    make: (o) => {
      const [header, ...rows] = table(o);
      // A short row is padded first: its values belong to the leading columns.
      return Buffer.from(write([header!, ...rows.map((r) => [...r, ...Array<string>(Math.max(0, header!.length - r.length)).fill('')])].map((r) => r.reverse())));
    },
  },
  {
    name: 'every field quoted',
    layout: false,
    make: (o) => Buffer.from(write(table(o), { quoted: true })),
  },
  {
    name: 'semicolons, Windows-1252',
    layout: true,
    make: (o) => windows1252(representable(write(table(o), { delimiter: ';' }))),
  },
  {
    name: 'tabs, an index column (pandas)',
    layout: true,
    make: (o) => Buffer.from(write(table(o).map((row, i) => [i === 0 ? '' : String(i - 1), ...row]), { delimiter: '\t' })),
  },
];
