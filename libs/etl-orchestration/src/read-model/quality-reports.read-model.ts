import type { PipelineRunCompleted, PipelineRunFailed, QualityCheckRecorded } from '../events.js';
import type { ProjectedEvent, ReadModelHandler, SqlClient } from '@olist/postgres';

type QualityEvent = QualityCheckRecorded | PipelineRunCompleted | PipelineRunFailed;

/**
 * `data_quality.rules`, `checks` and `reports`: every QualityCheckRecorded, and a report per run when the
 * run's outcome is decided (its checks precede it on the run's stream, so they are already written).
 */
export const qualityReportsReadModel: ReadModelHandler = {
  eventTypes: new Set<QualityEvent['type']>(['QualityCheckRecorded', 'PipelineRunCompleted', 'PipelineRunFailed']),
  async apply(tx: SqlClient, events: ReadonlyArray<ProjectedEvent>): Promise<void> {
    const checks = events.filter((e) => e.type === 'QualityCheckRecorded').map((e) => (e.data as QualityCheckRecorded['data']));
    if (checks.length > 0) {
      const rows = checks.map((c) => ({
        run_id: c.runId, rule_id: c.ruleId, rule_set: c.ruleSet, rule_type: c.ruleType, severity: c.severity, table_name: c.table,
        description: c.description, threshold: c.threshold, rows_checked: c.rowsChecked, rows_failed: c.rowsFailed, passed: c.passed,
        samples: c.samples, error: c.error ?? null, checked_at: c.checkedAt,
      }));
      const recordset = `jsonb_to_recordset($1::jsonb) AS r(run_id uuid, rule_id text, rule_set text, rule_type text, severity text, table_name text,
        description text, threshold numeric, rows_checked bigint, rows_failed bigint, passed boolean, samples jsonb, error text, checked_at timestamptz)`;
      await tx.query(
        `INSERT INTO data_quality.rules (rule_id, rule_set, rule_type, severity, table_name, description, threshold, updated_at)
         SELECT DISTINCT ON (rule_id) rule_id, rule_set, rule_type, severity, table_name, description, threshold, checked_at FROM ${recordset}
         ORDER BY rule_id, checked_at DESC
         ON CONFLICT (rule_id) DO UPDATE SET rule_set = EXCLUDED.rule_set, rule_type = EXCLUDED.rule_type, severity = EXCLUDED.severity,
           table_name = EXCLUDED.table_name, description = EXCLUDED.description, threshold = EXCLUDED.threshold, updated_at = EXCLUDED.updated_at
         WHERE data_quality.rules.updated_at <= EXCLUDED.updated_at`,
        [JSON.stringify(rows)],
      );
      await tx.query(
        `INSERT INTO data_quality.checks (run_id, rule_id, rule_set, severity, threshold, rows_checked, rows_failed, passed, samples, error, checked_at)
         SELECT run_id, rule_id, rule_set, severity, threshold, rows_checked, rows_failed, passed, samples, error, checked_at FROM ${recordset}
         ON CONFLICT (run_id, rule_id) DO UPDATE SET rule_set = EXCLUDED.rule_set, severity = EXCLUDED.severity, threshold = EXCLUDED.threshold, rows_checked = EXCLUDED.rows_checked,
           rows_failed = EXCLUDED.rows_failed, passed = EXCLUDED.passed, samples = EXCLUDED.samples, error = EXCLUDED.error, checked_at = EXCLUDED.checked_at`,
        [JSON.stringify(rows)],
      );
    }
    for (const e of events) {
      if (e.type === 'QualityCheckRecorded') continue;
      const data = e.data as PipelineRunCompleted['data'] | PipelineRunFailed['data'];
      if (data.qualityScore === undefined || data.qualityScore === null) continue; // a run given up, or completed before quality checks existed
      const outcome = e.type === 'PipelineRunFailed' ? 'FAILED' : (data as PipelineRunCompleted['data']).outcome;
      const checkedAt = e.type === 'PipelineRunFailed' ? (data as PipelineRunFailed['data']).failedAt : (data as PipelineRunCompleted['data']).completedAt;
      await tx.query(
        `INSERT INTO data_quality.reports (run_id, rule_set, score, outcome, checks, passed, failed, failed_critical, checked_at)
         SELECT $1, min(rule_set), $2, $3, count(*), count(*) FILTER (WHERE passed), count(*) FILTER (WHERE NOT passed),
                count(*) FILTER (WHERE NOT passed AND severity = 'CRITICAL'), $4
         FROM data_quality.checks WHERE run_id = $1 AND checked_at = $4
         ON CONFLICT (run_id) DO UPDATE SET rule_set = EXCLUDED.rule_set, score = EXCLUDED.score, outcome = EXCLUDED.outcome, checks = EXCLUDED.checks,
           passed = EXCLUDED.passed, failed = EXCLUDED.failed, failed_critical = EXCLUDED.failed_critical, checked_at = EXCLUDED.checked_at`,
        [data.runId, data.qualityScore, outcome, checkedAt],
      );
    }
  },
};
