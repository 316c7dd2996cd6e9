import type { DomainEvent } from '@olist/shared-kernel';

/** Stream `pipeline_run-<run_id>`. */
export type PipelineRunStarted = DomainEvent<'PipelineRunStarted', {
  readonly runId: string;
  readonly source: string;
  readonly startedAt: string;
}>;

export interface FileIngestionStats {
  readonly file: string;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly eventsAppended: number;
  /** Rows the loader read but could not deliver (the file is then incomplete in this run). */
  readonly failed?: number;
}
export type SourceFileIngested = DomainEvent<'SourceFileIngested', FileIngestionStats & { readonly runId: string }>;

/** A source row that could not become an event, with every reason. */
export type RowRejected = DomainEvent<'RowRejected', {
  readonly runId: string;
  readonly file: string;
  readonly line: number;
  readonly raw: Readonly<Record<string, string>>;
  readonly reasons: ReadonlyArray<string>;
}>;

export type PipelineRunCompleted = DomainEvent<'PipelineRunCompleted', { readonly runId: string; readonly completedAt: string }>;
export type PipelineRunFailed = DomainEvent<'PipelineRunFailed', { readonly runId: string; readonly failedAt: string; readonly error: string }>;

/** A failed run was taken up again (the loader re-posts the same files: the same run). */
export type PipelineRunResumed = DomainEvent<'PipelineRunResumed', { readonly runId: string; readonly resumedAt: string }>;

export type PipelineRunEvent =
  | PipelineRunStarted
  | SourceFileIngested
  | RowRejected
  | PipelineRunCompleted
  | PipelineRunFailed
  | PipelineRunResumed;
