import type { QualityCheckResult, QualityOutcome } from '@olist/data-quality';
import type { DomainEvent, EventUpcaster } from '@olist/shared-kernel';

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

/**
 * What the API did with one posted batch of a source file (stream `ingestion_batch-<run>.<file>.<from>-<to>`):
 * counted by the server, the first outcome of a batch stands (a retried post changes nothing).
 */
export type SourceBatchIngested = DomainEvent<'SourceBatchIngested', {
  readonly runId: string;
  readonly file: string;
  readonly fromLine: number;
  readonly toLine: number;
  readonly rows: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly eventsAppended: number;
  /** Rejected rows by reason (a row with two reasons counts under both). */
  readonly rejectionReasons: Readonly<Record<string, number>>;
}>;

/** A source row that could not become an event, with every reason. */
export type RowRejected = DomainEvent<'RowRejected', {
  readonly runId: string;
  readonly file: string;
  readonly line: number;
  readonly raw: Readonly<Record<string, string>>;
  readonly reasons: ReadonlyArray<string>;
}>;

/** Every file of the run was posted: the run waits for its quality checks. */
export type PipelineRunLoaded = DomainEvent<'PipelineRunLoaded', { readonly runId: string; readonly loadedAt: string }>;

/** One quality rule checked against the star schema once it had caught up with the run (spec §9). */
export type QualityCheckRecorded = DomainEvent<'QualityCheckRecorded', QualityCheckResult & {
  readonly runId: string;
  /** `name@version` of the rule set the rule belongs to. */
  readonly ruleSet: string;
  readonly checkedAt: string;
}>;

/**
 * Version 2: the outcome of the run's quality checks. Version 1 (`{ runId, completedAt }`, before quality
 * checks existed) reads as `outcome: 'SUCCESS', qualityScore: null` (see {@link ETL_ORCHESTRATION_UPCASTERS}).
 */
export type PipelineRunCompleted = DomainEvent<'PipelineRunCompleted', {
  readonly runId: string;
  readonly completedAt: string;
  readonly outcome: Exclude<QualityOutcome, 'FAILED'>;
  /** 0-100; null when the run was never checked. */
  readonly qualityScore: number | null;
}>;
/** The loader gave up, or the quality score is below the failing mark (then `qualityScore` is set). */
export type PipelineRunFailed = DomainEvent<'PipelineRunFailed', {
  readonly runId: string;
  readonly failedAt: string;
  readonly error: string;
  readonly qualityScore?: number;
}>;

/** A failed run was taken up again (the loader re-posts the same files: the same run). */
export type PipelineRunResumed = DomainEvent<'PipelineRunResumed', { readonly runId: string; readonly resumedAt: string }>;

export type PipelineRunEvent =
  | PipelineRunStarted
  | SourceFileIngested
  | SourceBatchIngested
  | RowRejected
  | PipelineRunLoaded
  | QualityCheckRecorded
  | PipelineRunCompleted
  | PipelineRunFailed
  | PipelineRunResumed;

export const ETL_ORCHESTRATION_UPCASTERS: ReadonlyArray<EventUpcaster> = [
  {
    type: 'PipelineRunCompleted',
    fromVersion: 1,
    upcast: (data) => ({ ...(data as object), outcome: 'SUCCESS', qualityScore: null }),
  },
];
