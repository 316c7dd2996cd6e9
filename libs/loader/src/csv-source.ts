import { createReadStream } from 'node:fs';
import { parse, type CsvError, type Options } from 'csv-parse';
import { windows1252Decoder, type CsvEncoding } from './csv-format.js';

/** One CSV record: its raw values and the 1-based physical line it starts on. */
export interface CsvRecord {
  /** 1-based physical line where the record starts (records with quoted line breaks span several). */
  readonly line: number;
  /** Raw field values, in file order (no trimming, no casting). */
  readonly values: string[];
  /**
   * Set when csv-parse could not parse the record (in practice: a quote never closed before the end of
   * the file). `values` then holds the raw text as a single value, so the API rejects it with its raw row.
   */
  readonly parseError?: string;
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

/** Counts physical line breaks (CRLF, LF or CR each count once) across consecutive text pieces. */
export class LineBreakCounter {
  private afterCr = false;

  /** Line breaks in `text`, and how many of them come before its first other character. */
  count(text: string): { total: number; leading: number } {
    let total = 0;
    let leading = 0;
    let seenContent = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) {
        if (!this.afterCr) {
          total++;
          if (!seenContent) leading++;
        }
        this.afterCr = false;
      } else if (c === 13 /* \r */) {
        total++;
        if (!seenContent) leading++;
        this.afterCr = true;
      } else {
        seenContent = true;
        this.afterCr = false;
      }
    }
    return { total, leading };
  }
}

/**
 * A streaming reader of one CSV file with csv-parse: BOM stripped, quoting and multi-line fields
 * handled, rows of any length kept (`relax_column_count`), stray quotes inside unquoted fields kept
 * (`relax_quotes`), blank lines skipped (and counted). Every record carries the physical line it starts
 * on: csv-parse's own `info.lines` counts a CRLF inside a quoted field twice, so lines are counted here
 * from each record's raw text (`raw: true`) instead.
 */
export class CsvSource {
  /** Blank lines skipped between records (they hold no data). */
  blankLines = 0;
  /** Bytes handed to the parser so far (the file size once all is read), for progress. */
  bytesRead = 0;
  /** Records that csv-parse could not parse (posted anyway, see `CsvRecord.parseError`). */
  readonly parseErrors: Array<{ line: number; message: string }> = [];

  constructor(
    readonly path: string,
    private readonly options: CsvSourceOptions = {},
  ) {}

  /** All records in file order, the header first. */
  async *records(): AsyncGenerator<CsvRecord> {
    const lines = new LineBreakCounter();
    let linesConsumed = 0;
    const toRecord = (raw: string, values: string[], parseError?: string): CsvRecord => {
      const { total, leading } = lines.count(raw);
      this.blankLines += leading;
      const line = linesConsumed + leading + 1;
      linesConsumed += total;
      return parseError === undefined ? { line, values } : { line, values, parseError };
    };

    const skipped: Array<{ error: Error; raw: string }> = [];
    // No `info`: csv-parse builds an info object per record for it, which costs a third of the parse.
    const parser = parse({
      bom: true,
      delimiter: this.options.delimiter ?? ',',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      on_skip: (error: CsvError | undefined, raw: string | undefined) => {
        if (error) skipped.push({ error, raw: raw ?? '' });
        return undefined;
      },
    } satisfies Options);
    const input = createReadStream(this.path, {
      highWaterMark: this.options.highWaterMark ?? 64 * 1024,
      signal: this.options.signal,
    });
    input.on('data', (chunk) => {
      this.bytesRead += chunk.length;
    });
    input.on('error', (err) => parser.destroy(err));
    if (this.options.encoding === 'windows-1252') {
      const decoder = windows1252Decoder();
      decoder.on('error', (err) => parser.destroy(err));
      input.pipe(decoder).pipe(parser);
    } else {
      input.pipe(parser);
    }
    try {
      for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
        yield toRecord(raw, record);
      }
    } finally {
      input.destroy();
      parser.destroy();
    }
    // With relax_quotes and relax_column_count, the only error left is a quote never closed before the
    // end of the file: csv-parse reports it after the last good record, with the unparsed rest as raw.
    for (const { error, raw } of skipped) {
      const record = toRecord(raw, [raw.replace(/(\r\n|\r|\n)$/, '')], error.message);
      this.parseErrors.push({ line: record.line, message: error.message });
      yield record;
    }
  }
}
