import type { ProjectedEvent, ReadModelHandler, SqlClient } from '@olist/postgres';
import type { PipelineRunEvent } from '../events.js';


/** `etl_orchestration.pipeline_runs` and `task_executions`: a run's status, timings and per-file metrics. */
export const pipelineRunsReadModel: ReadModelHandler = {
  eventTypes: new Set<PipelineRunEvent['type']>(['PipelineRunStarted', 'PipelineRunResumed', 'PipelineRunCompleted', 'PipelineRunFailed', 'SourceFileIngested']),
  // A run has a handful of these events: one statement each keeps the SQL plain.
  async apply(tx: SqlClient, events: ReadonlyArray<ProjectedEvent>): Promise<void> {
    for (const e of events) {
      const event = { type: e.type, data: e.data } as PipelineRunEvent;
      switch (event.type) {
        case 'PipelineRunStarted':
          await tx.query(
            `INSERT INTO etl_orchestration.pipeline_runs (run_id, source, status, started_at) VALUES ($1, $2, 'RUNNING', $3)
             ON CONFLICT (run_id) DO NOTHING`,
            [event.data.runId, event.data.source, event.data.startedAt],
          );
          break;
        case 'PipelineRunResumed':
          await tx.query(
            `UPDATE etl_orchestration.pipeline_runs SET status = 'RUNNING', failed_at = NULL, error = NULL, resumed_count = resumed_count + 1 WHERE run_id = $1`,
            [event.data.runId],
          );
          break;
        case 'PipelineRunCompleted':
          await tx.query(`UPDATE etl_orchestration.pipeline_runs SET status = 'COMPLETED', completed_at = $2 WHERE run_id = $1`, [event.data.runId, event.data.completedAt]);
          break;
        case 'PipelineRunFailed':
          await tx.query(
            `UPDATE etl_orchestration.pipeline_runs SET status = 'FAILED', failed_at = $2, error = $3 WHERE run_id = $1`,
            [event.data.runId, event.data.failedAt, event.data.error],
          );
          break;
        case 'SourceFileIngested': {
          const f = event.data;
          await tx.query(
            `INSERT INTO etl_orchestration.task_executions (run_id, file, rows_read, accepted, duplicates, rejected, failed, events_appended, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (run_id, file) DO UPDATE SET rows_read = EXCLUDED.rows_read, accepted = EXCLUDED.accepted, duplicates = EXCLUDED.duplicates,
               rejected = EXCLUDED.rejected, failed = EXCLUDED.failed, events_appended = EXCLUDED.events_appended, recorded_at = EXCLUDED.recorded_at`,
            [f.runId, f.file, f.rowsRead, f.accepted, f.duplicates, f.rejected, f.failed ?? 0, f.eventsAppended, e.recordedAt],
          );
          break;
        }
        default:
          break;
      }
    }
  },
};
