import type { SourceFile, SourceFileName } from '@olist/ingestion';

/** The header columns of one source file, as a union of string literals. */
export type ColumnsOf<N extends SourceFileName> = Extract<SourceFile, { name: N }>['columns'][number];

/** One CSV row of a source file: every column as the exact text written (empty string = empty field). */
export type RowOf<N extends SourceFileName> = { [C in ColumnsOf<N>]: string };
