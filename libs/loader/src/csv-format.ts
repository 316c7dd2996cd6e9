import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { headerProblems, mapHeader, type HeaderMapping, type SourceFile } from '@olist/ingestion';

/** The text encodings a source file is read in: UTF-8 (Olist's own), or Windows-1252 for files re-saved by spreadsheet tools. */
export type CsvEncoding = 'utf-8' | 'windows-1252';

/** How one source file is written, as found by {@link inspectSourceFile} (its header is mapped again by the API). */
export interface CsvFormat {
  readonly encoding: CsvEncoding;
  readonly delimiter: string;
}

export type Inspection =
  | { readonly ok: true; readonly format: CsvFormat; readonly warnings: ReadonlyArray<string> }
  | { readonly ok: false; readonly problem: string };

/** Delimiters tried on the header line, the first one winning ties. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };
const HEAD_BYTES = 64 * 1024;

/**
 * Reads what is needed to load a file before any of it is posted: its encoding (the whole file is read once),
 * its delimiter (the one under which the header names most of the file's columns) and its header mapped onto
 * the file's columns (any order, known aliases). A file that cannot be loaded as a whole — empty, a header and
 * no rows, not a CSV file of this kind, a required column missing — gets a problem naming the file instead.
 */
export async function inspectSourceFile(file: SourceFile, path: string, signal?: AbortSignal): Promise<Inspection> {
  const head = await readHead(path);
  const fail = (problem: string): Inspection => ({ ok: false, problem: `${file.fileName}: ${problem}` });
  if (head.subarray(startOfText(head)).toString('latin1').trim() === '') return fail('the file is empty');
  const encoding = await detectEncoding(path, signal);
  const text = decode(head.subarray(startOfText(head)), encoding);
  const lineEnd = text.search(/\r\n|\r|\n/);
  const headerLine = lineEnd < 0 ? text : text.slice(0, lineEnd);

  let best: { delimiter: string; header: string[]; mapping: HeaderMapping } | undefined;
  for (const delimiter of DELIMITERS) {
    const header = parseLine(headerLine, delimiter);
    const mapping = mapHeader(file, header);
    if (!best || mapping.index.size > best.mapping.index.size) best = { delimiter, header, mapping };
  }
  const { delimiter, header, mapping } = best!;
  if (mapping.index.size === 0) {
    return fail(`not a CSV file of ${file.name}: its first line names none of its columns (${file.columns.join(', ')})`);
  }
  const problems = headerProblems(mapping);
  if (problems.length > 0) return fail(`${problems.join('; ')} (the header reads: ${header.map((h) => JSON.stringify(h)).join(', ')})`);
  const rest = lineEnd < 0 ? '' : text.slice(lineEnd);
  if (head.length < HEAD_BYTES && rest.trim() === '') return fail('the file has a header but no rows');

  const warnings: string[] = [];
  if (mapping.unused.length > 0) {
    warnings.push(`column${mapping.unused.length > 1 ? 's' : ''} ${mapping.unused.map((u) => JSON.stringify(u)).join(', ')} not used: ignored`);
  }
  const differences = [
    encoding !== 'utf-8' ? `encoded in ${encoding}` : '',
    delimiter !== ',' ? `delimited by ${DELIMITER_NAMES[delimiter]}s` : '',
    header.some((h, i) => h !== file.columns[i]) || header.length !== file.columns.length ? 'columns named or ordered otherwise' : '',
  ].filter(Boolean);
  if (differences.length > 0) warnings.push(`read as a variant of ${file.fileName}: ${differences.join(', ')}`);
  return { ok: true, format: { encoding, delimiter }, warnings };
}

/** The header's values under one delimiter (quotes honoured, stray ones kept, as the rows are read). */
const parseLine = (line: string, delimiter: string): string[] => {
  try {
    return (parse(line, { delimiter, relax_quotes: true, relax_column_count: true, to_line: 1 }) as string[][])[0] ?? [];
  } catch {
    return [line];
  }
};

const readHead = async (path: string): Promise<Buffer> => {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
};

/** Where the text starts: after a UTF-8 byte order mark, if there is one. */
const startOfText = (head: Buffer): number => (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0);

/**
 * UTF-8 unless the file is not valid UTF-8 and most of its non-ASCII bytes are not UTF-8 sequences either: then
 * it is text in a single-byte encoding, read as Windows-1252 (a superset of Latin-1 for text). A UTF-8 file with
 * a few corrupt bytes stays UTF-8, the bytes read as U+FFFD.
 */
export async function detectEncoding(path: string, signal?: AbortSignal): Promise<CsvEncoding> {
  let carry: Buffer = Buffer.alloc(0);
  let valid = true;
  const counts = { sequences: 0, invalid: 0 };
  for await (const piece of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    const chunk = carry.length > 0 ? Buffer.concat([carry, piece as Buffer]) : (piece as Buffer);
    const cut = incompleteTail(chunk);
    const whole = chunk.subarray(0, cut);
    carry = Buffer.from(chunk.subarray(cut));
    if (isAscii(whole)) continue;
    if (valid && isUtf8(whole)) {
      countUtf8(whole, counts);
      continue;
    }
    valid = false;
    countUtf8(whole, counts);
  }
  if (carry.length > 0) {
    valid = false;
    countUtf8(carry, counts);
  }
  return valid || counts.sequences >= counts.invalid ? 'utf-8' : 'windows-1252';
}

/** Where a multi-byte UTF-8 sequence cut by the end of the chunk starts (the chunk's length if none is). */
const incompleteTail = (chunk: Buffer): number => {
  for (let j = chunk.length - 1; j >= Math.max(0, chunk.length - 3); j--) {
    const b = chunk[j]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return chunk.length;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return chunk.length - j < length ? j : chunk.length;
  }
  return chunk.length;
};

/** Counts well-formed multi-byte UTF-8 sequences and bytes that start none. */
const countUtf8 = (bytes: Buffer, counts: { sequences: number; invalid: number }): void => {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      counts.sequences++;
      i += length;
    } else {
      counts.invalid++;
      i++;
    }
  }
};

// Windows-1252 differs from Latin-1 in 0x80–0x9F (Node's TextDecoder reads them as Latin-1 control characters).
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

export const decode = (bytes: Buffer, encoding: CsvEncoding): string =>
  encoding === 'utf-8' ? bytes.toString('utf8') : bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);

/** A stream turning Windows-1252 bytes into text (a single-byte encoding: no character spans two chunks). */
export const windows1252Decoder = (): Transform =>
  new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, decode(chunk, 'windows-1252'));
    },
  });
