import type { QueryRunner } from '@olist/analytics';
import { Roles, recordAuditSql } from '@olist/security';
import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { QUERY_RUNNER } from '../tokens.js';
import { QueryRequestDto } from '../api/query.dto.js';

/**
 * The DuckDB owner's ad-hoc SQL endpoint, for the API (ProjectorQueryRunner) when the projector runs as its
 * own process: the QueryRunner port over HTTP, always JSON. Not public: analysts use the API's /v1/query.
 */
@ApiTags('internal')
@Controller('internal/v1/query')
export class InternalQueryController {
  constructor(@Inject(QUERY_RUNNER) private readonly runner: QueryRunner) {}

  @Post()
  @HttpCode(200)
  @Roles('analyst', 'auditor')
  @ApiOperation({ summary: 'QueryRunner.run({ sql, limit })' })
  run(@Body() body: QueryRequestDto, @Req() request: object) {
    recordAuditSql(request, body.sql);
    return this.runner.run({ sql: body.sql, limit: body.limit });
  }
}
