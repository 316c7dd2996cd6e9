import type { PipelineRunView } from '@olist/ingestion';
import { ApiError, type ApiClient } from './api-client.js';
import { sleep } from './retry.js';

/** A run's quality outcome as `GET /v1/pipeline-runs/:runId` reports it. */
export interface RunQuality {
  /** COMPLETED / FAILED once the projector checked the run; LOADED (or RUNNING) when the wait timed out first. */
  readonly status: string;
  readonly outcome: PipelineRunView['outcome'];
  readonly score: number | null;
  readonly checks: number;
  readonly failedChecks: ReadonlyArray<FailedCheck>;
  readonly error: string | null;
}

export interface FailedCheck {
  readonly ruleId: string;
  readonly severity: string;
  readonly description: string;
  readonly rowsFailed: number;
  readonly rowsChecked: number;
}

const ENDED = new Set(['COMPLETED', 'FAILED']);

/**
 * After `/complete` the projector checks the run's quality once the star schema has caught up with it, then
 * completes or fails it: polls the run until then, or until `timeoutMs` (the run may then still be LOADED,
 * e.g. when no projector is running).
 */
export const waitForRunQuality = async (
  client: ApiClient,
  runId: string,
  { timeoutMs, pollMs = 500, signal }: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<RunQuality> => {
  const deadline = Date.now() + timeoutMs;
  let last: PipelineRunView | undefined;
  for (;;) {
    try {
      last = await client.getRun(runId);
    } catch (e) {
      // 404: the operational read model has not caught up with the run's start yet.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    if ((last && ENDED.has(last.status)) || Date.now() >= deadline) break;
    await sleep(pollMs, signal);
  }
  const checks = last?.quality?.checks ?? [];
  return {
    status: last?.status ?? 'RUNNING',
    outcome: last?.outcome ?? null,
    score: last?.quality_score ?? null,
    checks: checks.length,
    failedChecks: checks
      .filter((c) => !c.passed)
      .map((c) => ({ ruleId: c.rule_id, severity: c.severity, description: c.description, rowsFailed: c.rows_failed, rowsChecked: c.rows_checked })),
    error: last?.error ?? null,
  };
};
