import { QUERY_SQL_MAX_LENGTH, type QueryResult, type QueryRunner } from '@olist/analytics';
import { Roles, recordAuditSql } from '@olist/security';
import { Body, Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { QUERY_RUNNER } from '../tokens.js';
import { QueryRequestDto, QueryResultDto } from './query.dto.js';

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

/** Header text: JSON with every character outside printable ASCII escaped (headers carry Latin-1 only). */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The facts of an answer besides its rows, as headers (the CSV answer's only place for them). */
const setQueryHeaders = (response: HeaderResponse, result: QueryResult): void => {
  response.setHeader('X-Query-Row-Count', String(result.rowCount));
  response.setHeader('X-Query-Truncated', String(result.truncated));
  response.setHeader('X-Query-Limit', String(result.limit));
  response.setHeader('X-Query-Elapsed-Ms', String(result.elapsedMs));
  response.setHeader('X-Query-Waited-Ms', String(result.waitedMs));
  response.setHeader('X-Query-Column-Types', asciiJson(result.columns.map((c) => c.type)));
  response.setHeader('X-Query-Snapshot-Taken-At', result.snapshot.takenAt);
  if (result.snapshot.checkpoint !== null) response.setHeader('X-Query-Snapshot-Checkpoint', result.snapshot.checkpoint);
  if (result.snapshot.martRefresh) {
    response.setHeader('X-Query-Mart-Refresh-Sequence', String(result.snapshot.martRefresh.sequence));
    response.setHeader('X-Query-Mart-Refreshed-At', result.snapshot.martRefresh.refreshedAt);
  }
};

/** The rows as CSV: a header row of the column names; lists and structs as JSON text, NULL as an empty field. */
const csvOf = (result: QueryResult): string =>
  stringify(result.rows as Array<Record<string, unknown>>, {
    header: true,
    columns: result.columns.map((c) => ({ key: c.name, header: c.name })),
    cast: { boolean: (value) => String(value), number: (value) => String(value), object: (value) => JSON.stringify(value) },
  });

/**
 * Analysts' ad-hoc SQL (docs/ad-hoc-sql.md): one read-only SELECT over `core` and `mart`, answered by the
 * process that owns the DuckDB file (a sandboxed DuckDB instance on a snapshot of them).
 */
@ApiTags('query')
@Controller('v1/query')
export class QueryController {
  constructor(@Inject(QUERY_RUNNER) private readonly runner: QueryRunner) {}

  @Post()
  @HttpCode(200)
  @Roles('analyst', 'auditor')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Run ONE read-only SELECT over the star schema (core) and the marts (mart), as JSON or CSV',
    description:
      `The statement runs on a sandboxed, read-only DuckDB instance over a snapshot of \`core\` and \`mart\` (no file, network, extension or ` +
      `setting), within QUERY_TIMEOUT_MS, and answers at most \`limit\` rows (\`truncated\` says when there were more). The SQL text ` +
      `(at most ${QUERY_SQL_MAX_LENGTH} characters) is kept in the audit log. CSV: the rows, and the other facts in X-Query-* headers.`,
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: QueryResultDto })
  @ApiBadRequestResponse({
    description:
      'QUERY.INVALID (syntax or binder error: DuckDB\'s message; a bad limit), QUERY.MULTIPLE_STATEMENTS, QUERY.NOT_A_SELECT, ' +
      'QUERY.REFUSED (a file, the network, an extension, a setting), QUERY.TIMEOUT, QUERY.OUT_OF_MEMORY, REQUEST.INVALID',
  })
  @ApiServiceUnavailableResponse({ description: 'QUERY.BUSY (every query slot taken), QUERY.UNAVAILABLE (no snapshot, or the projector unreachable); Retry-After' })
  async query(@Body() body: QueryRequestDto, @Req() request: object, @Res({ passthrough: true }) response: HeaderResponse): Promise<QueryResult | string> {
    recordAuditSql(request, body.sql);
    const result = await this.runner.run({ sql: body.sql, limit: body.limit });
    setQueryHeaders(response, result);
    if ((body.format ?? 'json') === 'json') return result;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="query.csv"');
    return csvOf(result);
  }
}
