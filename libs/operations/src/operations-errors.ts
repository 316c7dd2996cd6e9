import { ApplicationError } from '@olist/shared-kernel';

/** No such run in the operational read model: unknown, or its start not projected yet. */
export class UnknownRunError extends ApplicationError {
  readonly code = 'OPERATIONS.UNKNOWN_RUN';
  readonly kind = 'not_found';

  constructor(readonly runId: string) {
    super(`pipeline run ${runId} is unknown (or not projected yet)`, { runId });
  }
}

/** The run has no quality report: unknown, still loading, or the report not projected yet. */
export class NoQualityReportError extends ApplicationError {
  readonly code = 'OPERATIONS.NO_QUALITY_REPORT';
  readonly kind = 'not_found';

  constructor(readonly runId: string) {
    super(`pipeline run ${runId} has no quality report (unknown, still loading, or not projected yet)`, { runId });
  }
}
