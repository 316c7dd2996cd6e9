import { SQL_CLIENT } from '@olist/platform';
import type { SqlClient } from '@olist/postgres';
import { Controller, DefaultValuePipe, Get, Inject, NotFoundException, Param, ParseIntPipe, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

/** Operators' views over the Postgres read models (built by the projector from the event log). */
@ApiTags('operations')
@Controller('v1')
export class OperationsController {
  constructor(@Inject(SQL_CLIENT) private readonly sql: SqlClient) {}

  @Get('pipeline-runs')
  @ApiOperation({ summary: 'Pipeline runs, newest first' })
  async runs(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    const { rows } = await this.sql.query(
      'SELECT * FROM etl_orchestration.pipeline_runs ORDER BY started_at DESC LIMIT $1', [Math.min(Math.max(limit, 1), 1000)]);
    return { runs: rows };
  }

  @Get('pipeline-runs/:runId')
  @ApiOperation({ summary: 'A pipeline run with its per-file task executions and rejection counts by reason' })
  async run(@Param('runId', new ParseUUIDPipe()) runId: string) {
    const run = (await this.sql.query('SELECT * FROM etl_orchestration.pipeline_runs WHERE run_id = $1', [runId])).rows[0];
    if (!run) throw new NotFoundException(`pipeline run ${runId} is unknown (or not projected yet)`);
    const tasks = (await this.sql.query('SELECT * FROM etl_orchestration.task_executions WHERE run_id = $1 ORDER BY recorded_at, file', [runId])).rows;
    const rejections = (await this.sql.query<{ file: string; reason: string; rows: bigint }>(
      `SELECT file, reason, count(*) AS rows FROM data_quality.invalid_rows, unnest(reasons) AS reason
       WHERE run_id = $1 GROUP BY file, reason ORDER BY rows DESC, file, reason LIMIT 200`, [runId])).rows;
    return { ...run, tasks, rejections: rejections.map((r) => ({ ...r, rows: Number(r.rows) })) };
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
    const { rows } = await this.sql.query(
      `SELECT run_id, file, line, reasons, raw, rejected_at FROM data_quality.invalid_rows WHERE ${where}
       ORDER BY run_id, file, line LIMIT $4 OFFSET $5`,
      [...params, Math.min(Math.max(limit, 1), 1000), Math.max(offset, 0)],
    );
    return { total: Number(total), limit, offset, rows };
  }
}
