import type { ProjectedEvent, ReadModelHandler, SqlClient } from '@olist/postgres';
import type { PipelineRunEvent, SourceBatchIngested } from '../events.js';


/** `etl_orchestration.pipeline_runs` and `task_executions`: a run's status, timings and per-file metrics. */
export const pipelineRunsReadModel: ReadModelHandler = {
  eventTypes: new Set<PipelineRunEvent['type']>(['PipelineRunStarted', 'PipelineRunResumed', 'PipelineRunLoaded', 'PipelineRunCompleted', 'PipelineRunFailed', 'SourceFileIngested', 'SourceBatchIngested']),
  // A run has a handful of these events (one statement each keeps the SQL plain), and one SourceBatchIngested per batch (one statement per projector batch).
  async apply(tx: SqlClient, events: ReadonlyArray<ProjectedEvent>): Promise<void> {
    const batches = events.filter((e) => e.type === 'SourceBatchIngested').map((e) => {
      const b = e.data as SourceBatchIngested['data'];
      return {
        run_id: b.runId, file: b.file, from_line: b.fromLine, to_line: b.toLine, rows: b.rows, accepted: b.accepted, duplicates: b.duplicates,
        rejected: b.rejected, events_appended: b.eventsAppended, rejection_reasons: b.rejectionReasons, recorded_at: e.recordedAt.toISOString(),
      };
    });
    if (batches.length > 0) {
      await tx.query(
        `INSERT INTO etl_orchestration.batch_executions
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(run_id uuid, file text, from_line integer, to_line integer, rows integer, accepted integer,
           duplicates integer, rejected integer, events_appended integer, rejection_reasons jsonb, recorded_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(batches)],
      );
    }
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
            `UPDATE etl_orchestration.pipeline_runs SET status = 'RUNNING', failed_at = NULL, error = NULL, outcome = NULL, quality_score = NULL,
               resumed_count = resumed_count + 1 WHERE run_id = $1`,
            [event.data.runId],
          );
          break;
        case 'PipelineRunLoaded':
          await tx.query(`UPDATE etl_orchestration.pipeline_runs SET status = 'LOADED', loaded_at = $2 WHERE run_id = $1`, [event.data.runId, event.data.loadedAt]);
          break;
        case 'PipelineRunCompleted':
          await tx.query(
            `UPDATE etl_orchestration.pipeline_runs SET status = 'COMPLETED', completed_at = $2, outcome = $3, quality_score = $4 WHERE run_id = $1`,
            [event.data.runId, event.data.completedAt, event.data.outcome, event.data.qualityScore],
          );
          break;
        case 'PipelineRunFailed': {
          const score = event.data.qualityScore ?? null;
          await tx.query(
            `UPDATE etl_orchestration.pipeline_runs SET status = 'FAILED', failed_at = $2, error = $3, quality_score = $4,
               outcome = CASE WHEN $4::numeric IS NULL THEN NULL ELSE 'FAILED' END WHERE run_id = $1`,
            [event.data.runId, event.data.failedAt, event.data.error, score],
          );
          break;
        }
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
