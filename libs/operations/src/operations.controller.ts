import { pipelineRunStreamId } from '@olist/etl-orchestration';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE, PERSONAL_DATA, SQL_CLIENT } from '@olist/infrastructure';
import type { PersonalDataProtection } from '@olist/personal-data';
import type { SqlClient } from '@olist/postgres';
import { Controller, DefaultValuePipe, Get, Inject, Param, ParseIntPipe, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NoQualityReportError, UnknownRunError } from './operations-errors.js';
import { Roles } from '@olist/security';

/** numeric columns come back from Postgres as text. */
const numericScore = <T extends object>(row: T): T => {
  const r = row as Record<string, unknown>;
  return {
    ...row,
    ...('score' in r ? { score: Number(r.score) } : {}),
    ...('quality_score' in r ? { quality_score: r.quality_score === null ? null : Number(r.quality_score) } : {}),
  };
};

/** Operators' views over the Postgres read models (built by the projector from the event log). */
@ApiTags('operations')
@Roles('loader', 'auditor', 'viewer')
@Controller('v1')
export class OperationsController {
  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtection,
  ) {}

  @Get('pipeline-runs')
  @ApiOperation({ summary: 'Pipeline runs, newest first' })
  async runs(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    const { rows } = await this.sql.query(
      'SELECT * FROM etl_orchestration.pipeline_runs ORDER BY started_at DESC LIMIT $1', [Math.min(Math.max(limit, 1), 1000)]);
    return { runs: rows.map(numericScore) };
  }

  @Get('pipeline-runs/:runId')
  @ApiOperation({ summary: 'A pipeline run: per-file task executions (as the loader reported them), per-file statistics (as the server counted them), rejection counts by reason, quality report' })
  async run(@Param('runId', new ParseUUIDPipe()) runId: string) {
    const run = (await this.sql.query('SELECT * FROM etl_orchestration.pipeline_runs WHERE run_id = $1', [runId])).rows[0];
    if (!run) throw new UnknownRunError(runId);
    const tasks = (await this.sql.query('SELECT * FROM etl_orchestration.task_executions WHERE run_id = $1 ORDER BY recorded_at, file', [runId])).rows;
    const rejections = (await this.sql.query<{ file: string; reason: string; rows: bigint }>(
      `SELECT file, reason, count(*) AS rows FROM data_quality.invalid_rows, unnest(reasons) AS reason
       WHERE run_id = $1 GROUP BY file, reason ORDER BY rows DESC, file, reason LIMIT 200`, [runId])).rows;
    const { rows: statistics } = await this.sql.query<Record<string, unknown>>(
      `SELECT file, batches::integer, rows::integer, accepted::integer, duplicates::integer, rejected::integer, events_appended::integer,
              first_line, last_line
       FROM etl_orchestration.file_statistics WHERE run_id = $1 ORDER BY first_batch_at, file`, [runId]);
    const quality = await this.report(runId);
    // Where the log stood when the run ended: the marts as they were after this run are at this position (time travel).
    const ended = ['COMPLETED', 'FAILED'].includes(String((run as { status?: unknown }).status))
      ? (await this.store.readStream(pipelineRunStreamId(runId), { direction: 'backwards', maxCount: 1 }))[0]?.position ?? null
      : null;
    return { ...numericScore(run), endedAtPosition: ended, tasks, statistics, rejections: rejections.map((r) => ({ ...r, rows: Number(r.rows) })), quality };
  }

  @Get('quality/rules')
  @ApiOperation({ summary: 'The quality rules, as last checked' })
  async rules() {
    const { rows } = await this.sql.query('SELECT * FROM data_quality.rules ORDER BY rule_id');
    return { rules: rows };
  }

  @Get('quality/reports')
  @ApiOperation({ summary: 'Quality reports (score 0-100, outcome) of the pipeline runs, newest first' })
  async reports(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    const { rows } = await this.sql.query('SELECT * FROM data_quality.reports ORDER BY checked_at DESC LIMIT $1', [Math.min(Math.max(limit, 1), 1000)]);
    return { reports: rows.map(numericScore) };
  }

  @Get('quality/reports/:runId')
  @ApiOperation({ summary: "A run's quality report: score, outcome and every check, failing ones first with sample rows" })
  async qualityReport(@Param('runId', new ParseUUIDPipe()) runId: string) {
    const report = await this.report(runId);
    if (!report) throw new NoQualityReportError(runId);
    return report;
  }

  private async report(runId: string) {
    const report = (await this.sql.query('SELECT * FROM data_quality.reports WHERE run_id = $1', [runId])).rows[0];
    if (!report) return null;
    const { rows: checks } = await this.sql.query<{ rows_checked: bigint; rows_failed: bigint; threshold: string }>(
      `SELECT c.rule_id, r.rule_type, c.severity, r.table_name, r.description, c.threshold, c.rows_checked, c.rows_failed, c.passed, c.samples, c.error
       FROM data_quality.checks c JOIN data_quality.rules r USING (rule_id)
       WHERE c.run_id = $1 ORDER BY c.passed, CASE c.severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END, c.rule_id`,
      [runId],
    );
    return {
      ...numericScore(report),
      checks: checks.map((c) => ({ ...c, rows_checked: Number(c.rows_checked), rows_failed: Number(c.rows_failed), threshold: Number(c.threshold) })),
    };
  }

  @Get('quarantine')
  @ApiOperation({ summary: 'Rejected source rows with every reason, filtered by run, file and reason' })
  @ApiQuery({ name: 'runId', required: false })
  @ApiQuery({ name: 'file', required: false })
  @ApiQuery({ name: 'reason', required: false, description: 'exact reason, e.g. "unknown order"' })
  async quarantine(
    @Query('runId', new ParseUUIDPipe({ optional: true })) runId: string | undefined,
    @Query('file') file: string | undefined,
    @Query('reason') reason: string | undefined,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
  ) {
    const where = `($1::uuid IS NULL OR run_id = $1) AND ($2::text IS NULL OR file = $2) AND ($3::text IS NULL OR $3 = ANY (reasons))`;
    const params = [runId ?? null, file ?? null, reason ?? null];
    const total = (await this.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM data_quality.invalid_rows WHERE ${where}`, params)).rows[0]!.n;
    const { rows } = await this.sql.query<{ event_id: string; run_id: string; raw: Record<string, unknown> }>(
      `SELECT event_id, run_id, file, line, reasons, raw, rejected_at FROM data_quality.invalid_rows WHERE ${where}
       ORDER BY run_id, file, line LIMIT $4 OFFSET $5`,
      [...params, Math.min(Math.max(limit, 1), 1000), Math.max(offset, 0)],
    );
    // The quarantine keeps personal values sealed, as the log does: opened here, for the person reading them.
    const raws = await this.personalData.openRejectedRows(rows.map((r) => ({ streamId: pipelineRunStreamId(r.run_id), eventId: r.event_id, raw: r.raw })));
    return { total: Number(total), limit, offset, rows: rows.map(({ event_id: _eventId, ...r }, i) => ({ ...r, raw: raws[i] })) };
  }
}
