import { MAX_VALUE_BYTES } from '@olist/ingestion';
import { LineBreakCounter } from './line-breaks.js';

/** The end of a record found in the text, and how its quoted values spanning lines ended; or `more`: the text ends before. */
type RecordEnd =
  | { readonly end: number; readonly spans: boolean; readonly strayAcross: boolean; readonly emptyEdge: boolean }
  | { readonly unclosed: true }
  | 'more';

/**
 * Keeps a quote that is opened and never closed on its line from swallowing the rows after it, before csv-parse reads
 * the text (latin1, a character a byte). It finds each record's end as csv-parse does (`relax_quotes`: a quote opens a
 * value at its start only; inside, a doubled quote is one, a quote before a delimiter or the record delimiter closes it,
 * any other quote ends the quoting, the value going on to the next delimiter). A record whose quoted value holds a
 * record delimiter is taken as one only when it has the header's number of values, that value ended on a closing quote
 * (not on the opening quote of a later row's value), no line between its first and last reads as a row of its own,
 * and, when that value opens with a quote right before a delimiter or closes right after one (`",`, `,"`), its first and
 * last lines are not both rows once their quotes are read as characters (two rows with a quote never closed, one of
 * them before an empty value: the second closes the first's);
 * a quoted value may run on for {@link MAX_VALUE_BYTES} at the most. Otherwise the record's first line is one record:
 * it is handed on with a closing quote added at its end, its line and the position of the value left open are in
 * {@link unclosed}, and reading starts again on the next line.
 */
export class QuoteGuard {
  /** Line (1-based) → position of the value whose quote is never closed on that line. */
  readonly unclosed = new Map<number, number>();
  /** The header's number of values, once read. */
  private width: number | undefined;
  private pending = '';
  private readonly lines = new LineBreakCounter();
  private linesOut = 0;

  constructor(
    private readonly delimiter: string,
    private readonly recordDelimiter: string,
  ) {}

  /** The text that can be read now. */
  push(text: string): string {
    this.pending += text;
    return this.drain(false);
  }

  /** The rest of the text, at its end. */
  end(): string {
    return this.drain(true);
  }

  private drain(final: boolean): string {
    const text = this.pending;
    const rd = this.recordDelimiter;
    let out = '';
    let from = 0;
    let pos = 0;
    let nextQuote = -1;
    while (pos < text.length) {
      if (this.width !== undefined) {
        // The records before the next quote have none: passed on as they are, all at once.
        if (nextQuote < pos) nextQuote = text.indexOf('"', pos);
        const lastBreak = text.lastIndexOf(rd, (nextQuote < 0 ? text.length : nextQuote) - rd.length);
        if (lastBreak >= pos) pos = lastBreak + rd.length;
        if (nextQuote < 0) {
          if (final) pos = text.length;
          break;
        }
      }
      const found = this.recordEnd(text, pos, final);
      if (found === 'more') break;
      if (!('unclosed' in found) && (!found.spans || this.takes(text.slice(pos, found.end), found))) {
        this.width ??= this.valuesOf(text.slice(pos, found.end)) || undefined;
        pos = found.end;
        continue;
      }
      // The first line alone, closed where it ends.
      const lineEnd = text.indexOf(rd, pos);
      const line = text.slice(pos, lineEnd < 0 ? text.length : lineEnd);
      this.linesOut += this.lines.countTotal(text.slice(from, pos));
      const closed = `${line}"${lineEnd < 0 ? '' : rd}`;
      this.unclosed.set(this.linesOut + 1, Math.max(0, this.valuesOf(closed) - 1));
      this.linesOut += this.lines.countTotal(closed);
      out += text.slice(from, pos) + closed;
      from = pos = lineEnd < 0 ? text.length : lineEnd + rd.length;
    }
    out += text.slice(from, pos);
    this.linesOut += this.lines.countTotal(text.slice(from, pos));
    this.pending = text.slice(pos);
    return out;
  }

  /** Where the record starting at `start` ends, as csv-parse reads it with `relax_quotes`. */
  private recordEnd(text: string, start: number, final: boolean): RecordEnd {
    const { delimiter } = this;
    const rd = this.recordDelimiter;
    let spans = false;
    let strayAcross = false;
    /** A value spanning lines opens with a quote right before a delimiter or the line's end, or closes right after a delimiter (`",`, `,"`). */
    let emptyEdge = false;
    for (let i = start; ; ) {
      const rdAt = text.indexOf(rd, i);
      const q = text.indexOf('"', i);
      if (q < 0 || (rdAt >= 0 && rdAt < q)) {
        if (rdAt >= 0) return { end: rdAt + rd.length, spans, strayAcross, emptyEdge };
        return final ? { end: text.length, spans, strayAcross, emptyEdge } : 'more';
      }
      if (q !== start && !text.startsWith(delimiter, q - delimiter.length)) {
        i = q + 1; // a quote inside an unquoted value is a character of it
        continue;
      }
      let valueSpans = false;
      let breakAt = -1;
      for (let j = q + 1; ; ) {
        const r = text.indexOf('"', j);
        if (!valueSpans) {
          if (breakAt < j) breakAt = text.indexOf(rd, j);
          if (breakAt >= 0 && (r < 0 || breakAt < r)) valueSpans = true;
        }
        if (valueSpans && (r < 0 ? text.length : r) - q > MAX_VALUE_BYTES) return { unclosed: true };
        if (r < 0) return final ? { unclosed: true } : 'more';
        if (!final && r + rd.length >= text.length) return 'more'; // what follows the quote decides
        if (text[r + 1] === '"') {
          j = r + 2;
          continue;
        }
        const closes = r + 1 === text.length || text.startsWith(delimiter, r + 1) || text.startsWith(rd, r + 1);
        if (valueSpans && !closes) strayAcross = true;
        if (valueSpans && closes && text.startsWith(delimiter, r - delimiter.length)) emptyEdge = true;
        i = r + 1;
        break;
      }
      if (valueSpans && (text.startsWith(delimiter, q + 1) || text.startsWith(rd, q + 1))) emptyEdge = true;
      spans ||= valueSpans;
    }
  }

  /** Whether a record spanning lines is one: see the class. */
  private takes(record: string, { strayAcross, emptyEdge }: { readonly strayAcross: boolean; readonly emptyEdge: boolean }): boolean {
    if (this.width === undefined) return true;
    if (strayAcross || this.valuesOf(record) !== this.width) return false;
    const rd = this.recordDelimiter;
    const lines = (record.endsWith(rd) ? record.slice(0, -rd.length) : record).split(rd);
    if (lines.slice(1, -1).some((line) => this.valuesOf(line) === this.width)) return false;
    // Two rows with a quote opened and never closed, one of them before an empty value (`",`): the second closes the first's.
    const last = lines.at(-1)!;
    return !(emptyEdge && this.valuesOf(lines[0]!, false) === this.width && (this.valuesOf(last) === this.width || this.valuesOf(last, false) === this.width));
  }

  /**
   * The number of values csv-parse reads in one record's text (0 for none: a blank line, or a quote never closed);
   * `quotes` false: every quote read as a character. Counted here: csv-parse's own parser costs far more to set up.
   */
  private valuesOf(record: string, quotes = true): number {
    const { delimiter } = this;
    const rd = this.recordDelimiter;
    const text = record.endsWith(rd) ? record.slice(0, -rd.length) : record;
    if (text === '') return 0;
    let values = 1;
    for (let i = 0; ; ) {
      if (quotes && text[i] === '"') {
        // A quoted value, to its closing quote, or to a quote that ends the quoting (the value then goes on unquoted).
        for (let j = i + 1; ; ) {
          const q = text.indexOf('"', j);
          if (q < 0) return 0;
          if (text[q + 1] === '"') {
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
      }
      const next = text.indexOf(delimiter, i);
      if (next < 0) return values;
      values++;
      i = next + delimiter.length;
    }
  }
}
