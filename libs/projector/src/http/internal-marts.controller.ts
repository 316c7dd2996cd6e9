import type { MartReader } from '@olist/analytics';
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MART_READER } from '../tokens.js';
import { MartQueryDto } from './mart-query.dto.js';
import { Roles } from '@olist/security';
import { IDENTIFIER, PathParam } from '@olist/infrastructure';

/**
 * The DuckDB owner's read endpoint, for the API (ProjectorMartReader) when the projector runs
 * as its own process: the MartReader port over HTTP. Not public: analysts use the API's /v1/marts.
 */
@ApiTags('internal')
@Roles('analyst', 'auditor')
@Controller('internal/v1/marts')
export class InternalMartsController {
  constructor(@Inject(MART_READER) private readonly reader: MartReader) {}

  @Get()
  @ApiOperation({ summary: 'MartReader.catalog()' })
  catalog() {
    return this.reader.catalog();
  }

  @Post(':name/query')
  @HttpCode(200)
  @ApiOperation({ summary: 'MartReader.read(name, query)' })
  read(@Param('name', new PathParam('name', IDENTIFIER, 'a mart name (monthly_revenue, …)')) name: string, @Body() query: MartQueryDto) {
    return this.reader.read(name, query);
  }
}
