import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { FileFormat, QuotePolicy } from './formats.js';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;
const FLUSH_AT = 1 << 16; // characters buffered before a write

const LINE_BREAK = /[\r\n]/;

/** Physical line breaks in a text: CRLF, LF and CR each count once (as the loader counts them). */
export const countLineBreaks = (text: string): number => {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) n++;
    else if (c === 10 && (i === 0 || text.charCodeAt(i - 1) !== 13)) n++;
  }
  return n;
};

export const encodeField = (value: string, policy: QuotePolicy): string => {
  if (NEEDS_QUOTES.test(value)) return `"${value.replace(QUOTE, '""')}"`;
  if (value === '' || policy === 'minimal') return value;
  if (policy === 'always') return `"${value}"`;
  const c = value.charCodeAt(0);
  return c >= 48 && c <= 57 ? `"${value}"` : value;
};

/**
 * Streams one CSV file: header at open, rows separated by the format's line ending, buffered in ~64 KB
 * chunks. `writeRow` is synchronous; callers `await drain()` now and then to honour backpressure.
 */
export class CsvFileWriter {
  private buffer = '';
  private pending: Promise<unknown> | null = null;
  private readonly policies: ReadonlyArray<QuotePolicy>;
  private rowCount = 0;
  /** The physical line the next row starts on (the header is line 1). */
  private nextLine = 2;

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
    private readonly format: FileFormat,
    columns: ReadonlyArray<string>,
  ) {
    this.policies = columns.map((c) => format.quoting[c] ?? 'minimal');
    const header = columns.map((c) => encodeField(c, format.quoteHeader ? 'always' : 'minimal')).join(',');
    this.buffer = (format.bom ? '\uFEFF' : '') + header;
  }

  static open(path: string, format: FileFormat, columns: ReadonlyArray<string>): CsvFileWriter {
    return new CsvFileWriter(path, createWriteStream(path, { encoding: 'utf8' }), format, columns);
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Buffers one row and returns the 1-based physical line it starts on (header = line 1). */
  writeRow(values: ReadonlyArray<string>): number {
    const start = this.nextLine;
    let breaks = 0;
    let line = this.format.eol;
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += ',';
      const value = values[i]!;
      if (LINE_BREAK.test(value)) breaks += countLineBreaks(value);
      line += encodeField(value, this.policies[i] ?? 'minimal');
    }
    this.buffer += line;
    this.rowCount++;
    this.nextLine += 1 + breaks;
    if (this.buffer.length >= FLUSH_AT) this.flush();
    return start;
  }

  /** Resolves once the underlying stream has room again. */
  async drain(): Promise<void> {
    if (this.pending) {
      await this.pending;
      this.pending = null;
    }
  }

  /** Flushes, ends the file and returns its size in bytes. */
  async close(): Promise<number> {
    if (this.format.finalEol) this.buffer += this.format.eol;
    this.flush();
    await this.drain();
    this.stream.end();
    await finished(this.stream);
    return this.stream.bytesWritten;
  }

  private flush(): void {
    if (this.buffer === '') return;
    const ok = this.stream.write(this.buffer);
    this.buffer = '';
    if (!ok && !this.pending) this.pending = once(this.stream, 'drain');
  }
}
