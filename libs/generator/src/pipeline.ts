import type { SourceFile, SourceFileName } from '@olist/ingestion';
import type { CsvFileWriter } from './csv-writer.js';
import type { QuirkCounts, QuirkName, QuirkRates, QuirkToggles } from './quirks.js';
import type { Rng } from './rng.js';
import type { RowOf } from './rows.js';

/**
 * Row transformers sit between the domain generator (which only produces coherent rows) and the CSV
 * writers. Each one sees every row of one file and returns it (possibly modified), several rows, or
 * `null` to drop it. The row-level quirks are transformers (see `transformers.ts`); extra ones plug in
 * through `GenerateOptions.transformers`, after the quirks; defect injection (`defects.ts`: negative
 * prices, unknown orders, bad dates, ...) comes last, so that it sees the rows exactly as written.
 */
export type TransformResult<N extends SourceFileName> = RowOf<N> | ReadonlyArray<RowOf<N>> | null;

export interface RowTransformer<N extends SourceFileName> {
  readonly name: string;
  readonly file: N;
  transform(row: RowOf<N>): TransformResult<N>;
  /** Rows held back until the end of the file (written after every other row, through the later transformers). */
  flush?(): ReadonlyArray<RowOf<N>>;
}

/** A transformer of any file (the union keeps `file` and the row type in step). */
export type AnyRowTransformer = { [N in SourceFileName]: RowTransformer<N> }[SourceFileName];

export interface TransformerContext {
  /** A random stream of its own for this factory (forked from the seed and the factory's name). */
  readonly rng: Rng;
  readonly quirks: QuirkToggles;
  readonly rates: QuirkRates;
  /** Records that a quirk was applied (reported in the summary). */
  readonly count: (quirk: QuirkName, n?: number) => void;
}

export interface TransformerFactory {
  readonly name: string;
  create(context: TransformerContext): ReadonlyArray<AnyRowTransformer>;
}

/** Sees every row as written, with the 1-based physical line it starts on (header = line 1). */
export type RowObserver<N extends SourceFileName> = (row: RowOf<N>, line: number) => void;

const truncated = new WeakMap<object, number>();

/** Marks a row to be written with only its first `values` values (a short row: defect injection). */
export const writeShort = <R extends object>(row: R, values: number): R => {
  truncated.set(row, values);
  return row;
};

export const createCounter = (counts: QuirkCounts) => (quirk: QuirkName, n = 1): void => {
  counts[quirk] += n;
};

/** Receives the domain rows of one file, runs them through its transformers and writes them. */
export class RowSink<N extends SourceFileName> {
  private readonly columns: ReadonlyArray<keyof RowOf<N>>;

  constructor(
    readonly file: Extract<SourceFile, { name: N }>,
    readonly writer: CsvFileWriter,
    private readonly transformers: ReadonlyArray<RowTransformer<N>>,
    private readonly observer?: RowObserver<N>,
  ) {
    this.columns = file.columns as unknown as ReadonlyArray<keyof RowOf<N>>;
  }

  push(row: RowOf<N>): void {
    this.apply(row, 0);
  }

  /** Writes the rows the transformers held back (call once, after the last `push`). */
  flush(): void {
    for (let i = 0; i < this.transformers.length; i++) {
      const held = this.transformers[i]!.flush?.() ?? [];
      for (const r of held) this.apply(r, i + 1);
    }
  }

  private apply(row: RowOf<N>, from: number): void {
    for (let i = from; i < this.transformers.length; i++) {
      const out = this.transformers[i]!.transform(row);
      if (out === null) return;
      if (isRowList(out)) {
        for (const r of out) this.apply(r, i + 1);
        return;
      }
      row = out;
    }
    const values = this.columns.map((c) => row[c]);
    const keep = truncated.get(row);
    const line = this.writer.writeRow(keep === undefined ? values : values.slice(0, keep));
    this.observer?.(row, line);
  }
}

const isRowList = <N extends SourceFileName>(out: RowOf<N> | ReadonlyArray<RowOf<N>>): out is ReadonlyArray<RowOf<N>> =>
  Array.isArray(out);
