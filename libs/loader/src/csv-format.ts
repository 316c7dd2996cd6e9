import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
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
 * UTF-8 unless the file is not valid UTF-8 and its lines holding non-ASCII bytes are mostly not UTF-8 either, by more
 * than ten to one: then it is text in a single-byte encoding, read as Windows-1252 (a superset of Latin-1 for text).
 * Lines, not bytes, are counted, so that a few corrupt rows full of odd bytes in a UTF-8 file do not outweigh its good
 * ones: they stay UTF-8 and are told as such (`not-utf8`). A line of Windows-1252 text passes for UTF-8 only when each
 * of its accented letters is followed by one to three symbols of 0x80–0xBF, which text practically never does.
 */
export async function detectEncoding(path: string, signal?: AbortSignal): Promise<CsvEncoding> {
  const lines = new Utf8Lines();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) lines.scan(chunk as Buffer);
  const { utf8, notUtf8 } = lines.end();
  return notUtf8 > 10 * utf8 ? 'windows-1252' : 'utf-8';
}

/** Counts the lines holding non-ASCII bytes that are all UTF-8, and those that are not, over consecutive chunks of a file. */
export class Utf8Lines {
  utf8 = 0;
  notUtf8 = 0;
  /** Continuation bytes the current sequence still needs, and the range of the next one. */
  private need = 0;
  private low = 0x80;
  private high = 0xbf;
  private lineNonAscii = false;
  private lineInvalid = false;

  scan(bytes: Buffer): void {
    if (isAscii(bytes)) {
      if (this.need > 0) this.breakSequence();
      if (bytes.includes(0x0a) || bytes.includes(0x0d)) this.endLine();
      return;
    }
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.need > 0) {
        if (b >= this.low && b <= this.high) {
          this.need--;
          this.low = 0x80;
          this.high = 0xbf;
          continue;
        }
        this.breakSequence();
      }
      if (b < 0x80) {
        if (b === 0x0a || b === 0x0d) this.endLine();
        continue;
      }
      this.lineNonAscii = true;
      // Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
      if (b >= 0xc2 && b <= 0xdf) this.expect(1, 0x80, 0xbf);
      else if (b === 0xe0) this.expect(2, 0xa0, 0xbf);
      else if (b === 0xed) this.expect(2, 0x80, 0x9f);
      else if (b >= 0xe1 && b <= 0xef) this.expect(2, 0x80, 0xbf);
      else if (b === 0xf0) this.expect(3, 0x90, 0xbf);
      else if (b >= 0xf1 && b <= 0xf3) this.expect(3, 0x80, 0xbf);
      else if (b === 0xf4) this.expect(3, 0x80, 0x8f);
      else this.lineInvalid = true;
    }
  }

  end(): { utf8: number; notUtf8: number } {
    if (this.need > 0) this.breakSequence();
    this.endLine();
    return { utf8: this.utf8, notUtf8: this.notUtf8 };
  }

  private expect(need: number, low: number, high: number): void {
    this.need = need;
    this.low = low;
    this.high = high;
  }

  private breakSequence(): void {
    this.need = 0;
    this.low = 0x80;
    this.high = 0xbf;
    this.lineInvalid = true;
  }

  private endLine(): void {
    if (this.lineNonAscii) {
      if (this.lineInvalid) this.notUtf8++;
      else this.utf8++;
    }
    this.lineNonAscii = false;
    this.lineInvalid = false;
  }
}

// Windows-1252 differs from Latin-1 in 0x80–0x9F (Node's TextDecoder reads them as Latin-1 control characters).
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

/** Windows-1252 text from its bytes read as latin1 (one character a byte). */
export const fromWindows1252 = (latin1: string): string => latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);

export const decode = (bytes: Buffer, encoding: CsvEncoding): string =>
  encoding === 'utf-8' ? bytes.toString('utf8') : fromWindows1252(bytes.toString('latin1'));
