import type { FileIngestionStats } from '@olist/etl-orchestration';

/**
 * The wire contract between the loader (libs/loader) and the ingestion API (libs/command-side, and the
 * operations view the loader polls): the JSON bodies they exchange. Every error is answered as an
 * {@link ErrorBody} (docs/errors.md).
 */
export type { ErrorBody } from '@olist/shared-kernel';
export type { FileIngestionStats } from '@olist/etl-orchestration';

/** `POST /v1/pipeline-runs` */
export interface StartRunRequest {
  /** Chosen by the loader; deterministic from the files, so a re-run is the same run. */
  readonly runId: string;
  /** Where the rows come from (e.g. a directory). */
  readonly source: string;
}

export type RunStartStatus = 'started' | 'already-started';

export interface StartRunResponse {
  readonly runId: string;
  readonly status: RunStartStatus;
}

/** One record of a source file. */
export interface SourceRow {
  /** Physical line where the record starts (the header is line 1). */
  readonly line: number;
  /** Raw values in header order. */
  readonly values: ReadonlyArray<string>;
  /** What the loader found wrong in the record's text (absent: nothing); the API rejects such a row, naming each value's column. */
  readonly defects?: ReadonlyArray<RecordDefect>;
}

/**
 * A fault in a record's text that only the loader can see, at the (0-based) position of the value concerned:
 * - `unclosed-quote`: a quote opened at that value is never closed on the record's line, so the line cannot be split
 *   into values (those posted are the values before it, then the rest of the line as one);
 * - `not-utf8`: the value's bytes are not UTF-8 in a file read as UTF-8 (posted with U+FFFD in their place);
 * - `too-large`: the value is `bytes` long, over `MAX_VALUE_BYTES` (posted cut to its first `CUT_VALUE_CHARACTERS`).
 */
export type RecordDefect =
  | { readonly position: number; readonly kind: 'unclosed-quote' | 'not-utf8' }
  | { readonly position: number; readonly kind: 'too-large'; readonly bytes: number };

export const RECORD_DEFECT_KINDS: ReadonlyArray<RecordDefect['kind']> = ['unclosed-quote', 'not-utf8', 'too-large'];

/** `POST /v1/pipeline-runs/:runId/files/:file/batches` */
export interface IngestBatchRequest {
  /** The file's header as read (BOM stripped). */
  readonly header: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<SourceRow>;
}

export type RowOutcome = 'accepted' | 'duplicate' | 'rejected';

export type RowResult =
  | { readonly line: number; readonly outcome: Exclude<RowOutcome, 'rejected'> }
  | { readonly line: number; readonly outcome: 'rejected'; readonly reasons: ReadonlyArray<string> };

/** The answer to a batch: one result per posted row, and the counts. */
export interface BatchResult {
  readonly file: string;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly eventsAppended: number;
  readonly results: ReadonlyArray<RowResult>;
}

/** `POST /v1/pipeline-runs/:runId/complete`: each file's statistics as the loader counted them. */
export interface CompleteRunRequest {
  readonly files: ReadonlyArray<FileIngestionStats>;
}

export interface CompleteRunResponse {
  readonly runId: string;
  readonly status: 'loaded' | 'already-loaded';
}

/** `POST /v1/pipeline-runs/:runId/fail` */
export interface FailRunRequest {
  /** Why the run could not finish. */
  readonly error: string;
}

export interface FailRunResponse {
  readonly runId: string;
  readonly status: 'failed' | 'already-ended';
}

/**
 * `GET /v1/pipeline-runs/:runId`, the part the loader reads while it waits for the run's quality outcome
 * (the answer holds more: the run's row of `etl_orchestration.pipeline_runs`, its tasks, statistics and rejections).
 */
export interface PipelineRunView {
  readonly status: 'RUNNING' | 'LOADED' | 'COMPLETED' | 'FAILED';
  readonly outcome: 'SUCCESS' | 'WARN' | 'FAILED' | null;
  readonly quality_score: number | null;
  readonly error: string | null;
  readonly quality: null | { readonly checks: ReadonlyArray<QualityCheckView> };
}

export interface QualityCheckView {
  readonly rule_id: string;
  readonly severity: string;
  readonly description: string;
  readonly rows_failed: number;
  readonly rows_checked: number;
  readonly passed: boolean;
}
