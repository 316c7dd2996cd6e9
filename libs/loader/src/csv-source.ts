import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import { CUT_VALUE_CHARACTERS, MAX_VALUE_BYTES, type RecordDefect } from '@olist/ingestion';
import { fromWindows1252, type CsvEncoding } from './csv-format.js';
import { LineBreakCounter } from './line-breaks.js';
import { QuoteGuard } from './quote-guard.js';

/** One CSV record: its values and the 1-based physical line it starts on. */
export interface CsvRecord {
  /** 1-based physical line where the record starts (records with quoted line breaks span several). */
  readonly line: number;
  /** Field values, in file order (no trimming, no casting). */
  readonly values: string[];
  /** What is wrong in the record's text (a quote never closed, bytes that are not UTF-8, a value too large to post); absent when nothing is. */
  readonly defects?: RecordDefect[];
}

export interface CsvSourceOptions {
  /** Default UTF-8. */
  readonly encoding?: CsvEncoding;
  /** Default a comma. */
  readonly delimiter?: string;
  /** Read buffer size; tests use tiny values to exercise chunk boundaries. */
  readonly highWaterMark?: number;
  readonly signal?: AbortSignal;
}

export { LineBreakCounter } from './line-breaks.js';

const NON_ASCII = /[\x80-\xff]/;

/**
 * A streaming reader of one CSV file with csv-parse: BOM stripped, quoting and multi-line fields handled, rows of any
 * length kept (`relax_column_count`), stray quotes inside unquoted fields kept (`relax_quotes`), blank lines skipped
 * (and counted). Every record carries the physical line it starts on: csv-parse's own `info.lines` counts a CRLF
 * inside a quoted field twice, so lines are counted here from each record's raw text (`raw: true`) instead.
 *
 * The file is parsed as bytes (latin1 text, one character a byte) and each value decoded after: so a value that is
 * not UTF-8 is known (`not-utf8`), and one too large to post is cut (`too-large`) before it is decoded. A quote opened
 * and never closed on its line costs that line alone (`unclosed-quote`): see {@link QuoteGuard}.
 */
export class CsvSource {
  /** Blank lines skipped between records (they hold no data). */
  blankLines = 0;
  /** Bytes handed to the parser so far (the file size once all is read), for progress. */
  bytesRead = 0;

  constructor(
    readonly path: string,
    private readonly options: CsvSourceOptions = {},
  ) {}

  /** All records in file order, the header first. */
  async *records(): AsyncGenerator<CsvRecord> {
    const delimiter = this.options.delimiter ?? ',';
    const { bom, recordDelimiter } = await readHead(this.path, delimiter);
    const guard = new QuoteGuard(delimiter, recordDelimiter);
    const lines = new LineBreakCounter();
    let linesConsumed = 0;
    const skipped: string[] = [];
    // No `info`: csv-parse builds an info object per record for it, which costs a third of the parse.
    const parser = parse({
      encoding: 'latin1',
      delimiter,
      record_delimiter: recordDelimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      // The guard closes every quote left open: a record csv-parse still skips is posted as one value, never dropped.
      on_skip: (error: CsvError | undefined, raw: string | undefined) => {
        if (error) skipped.push(raw ?? '');
        return undefined;
      },
    } satisfies Options);
    const input = createReadStream(this.path, { start: bom ? 3 : 0, highWaterMark: this.options.highWaterMark ?? 64 * 1024, signal: this.options.signal });
    this.bytesRead = bom ? 3 : 0;
    const guarded = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytesRead += chunk.length;
        done(null, Buffer.from(guard.push(chunk.toString('latin1')), 'latin1'));
      },
      flush: (done) => done(null, Buffer.from(guard.end(), 'latin1')),
    });
    input.on('error', (err) => parser.destroy(err));
    guarded.on('error', (err) => parser.destroy(err));
    input.pipe(guarded).pipe(parser);

    const record = (raw: string, values: string[]): CsvRecord => {
      const { total, leading } = lines.count(raw);
      this.blankLines += leading;
      const line = linesConsumed + leading + 1;
      linesConsumed += total;
      const defects: RecordDefect[] = [];
      const open = guard.unclosed.size > 0 ? guard.unclosed.get(line) : undefined;
      if (open !== undefined) guard.unclosed.delete(line);
      if (open !== undefined && open < values.length) {
        values[open] = `"${values[open]}`; // as the line has it
        defects.push({ position: open, kind: 'unclosed-quote' });
      }
      if (NON_ASCII.test(raw) || raw.length > MAX_VALUE_BYTES) this.decode(values, defects);
      return defects.length > 0 ? { line, values, defects } : { line, values };
    };
    try {
      for await (const { record: values, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) yield record(raw, values);
    } finally {
      input.destroy();
      parser.destroy();
    }
    for (const raw of skipped) {
      const r = record(raw, [raw.replace(/(\r\n|\r|\n)$/, '')]);
      yield { ...r, defects: [...(r.defects ?? []), { position: 0, kind: 'unclosed-quote' }] };
    }
  }

  /** A record's values (latin1 text, a character a byte) as the file's text, each fault told in `defects`. */
  private decode(values: string[], defects: RecordDefect[]): void {
    const utf8 = (this.options.encoding ?? 'utf-8') === 'utf-8';
    for (let i = 0; i < values.length; i++) {
      const bytes = values[i]!;
      let v = bytes;
      if (NON_ASCII.test(bytes)) {
        if (utf8) {
          const buffer = Buffer.from(bytes, 'latin1');
          if (!isUtf8(buffer)) defects.push({ position: i, kind: 'not-utf8' });
          v = buffer.toString('utf8');
        } else {
          v = fromWindows1252(bytes);
        }
      }
      if (bytes.length > MAX_VALUE_BYTES) {
        defects.push({ position: i, kind: 'too-large', bytes: bytes.length });
        const cut = v.slice(0, CUT_VALUE_CHARACTERS);
        v = `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
      }
      values[i] = v;
    }
  }
}

/** Whether the file starts with a UTF-8 byte order mark, and its record delimiter: the line break ending its first record (LF if none). */
const readHead = async (path: string, delimiter: string): Promise<{ bom: boolean; recordDelimiter: string }> => {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('latin1');
    const bom = text.startsWith('\xef\xbb\xbf');
    return { bom, recordDelimiter: firstLineBreak(bom ? text.slice(3) : text, delimiter) };
  } finally {
    await handle.close();
  }
};

/** The first line break outside quoted values (those may hold any). */
const firstLineBreak = (text: string, delimiter: string): string => {
  let quoted = false;
  let valueStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') quoted = false;
    } else if (c === '\r' || c === '\n') {
      return c === '\r' && text[i + 1] === '\n' ? '\r\n' : c;
    } else {
      quoted = c === '"' && valueStart;
      valueStart = text.startsWith(delimiter, i);
    }
  }
  return '\n';
};
