import type { SourceFile } from '@olist/ingestion';
import { Command } from '@nestjs/cqrs';

export interface SourceRow {
  readonly line: number;
  readonly values: ReadonlyArray<string>;
}

export type RowOutcome =
  | { readonly line: number; readonly outcome: 'accepted' | 'duplicate' }
  | { readonly line: number; readonly outcome: 'rejected'; readonly reasons: ReadonlyArray<string> };

export interface BatchResult {
  readonly file: string;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly eventsAppended: number;
  readonly results: ReadonlyArray<RowOutcome>;
}

/** A batch of rows of one source file, posted within a pipeline run. */
export class IngestBatchCommand extends Command<BatchResult> {
  constructor(
    readonly runId: string,
    readonly file: SourceFile,
    readonly header: ReadonlyArray<string>,
    readonly rows: ReadonlyArray<SourceRow>,
    readonly actor: string,
  ) {
    super();
  }
}
