import type { MartReader } from '@olist/analytics';
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MART_READER, MARTS_AS_OF } from '../tokens.js';
import type { MartTimeTravel } from '../time-travel/marts-as-of.js';
import { MartQueryDto } from './mart-query.dto.js';
import { MART_NAME } from '../api/mart-query.pipe.js';
import { Roles } from '@olist/security';

/**
 * The DuckDB owner's read endpoint, for the API (ProjectorMartReader) when the projector runs
 * as its own process: the MartReader port over HTTP. Not public: analysts use the API's /v1/marts.
 */
@ApiTags('internal')
@Roles('analyst', 'auditor')
@Controller('internal/v1/marts')
export class InternalMartsController {
  constructor(
    @Inject(MART_READER) private readonly reader: MartReader,
    @Inject(MARTS_AS_OF) private readonly timeTravel: MartTimeTravel,
  ) {}

  @Get()
  @ApiOperation({ summary: 'MartReader.catalog()' })
  catalog() {
    return this.reader.catalog();
  }

  @Get('refresh')
  @ApiOperation({ summary: 'MartReader.currentRefresh()' })
  currentRefresh() {
    return this.reader.currentRefresh();
  }

  @Post(':name/query')
  @HttpCode(200)
  @ApiOperation({ summary: 'MartReader.read(name, query)' })
  read(@Param('name', MART_NAME) name: string, @Body() query: MartQueryDto) {
    const { atPosition, recordedAsOf, ...page } = query;
    if (atPosition) return this.timeTravel.readAt(name, page, { atPosition });
    if (recordedAsOf) return this.timeTravel.readAt(name, page, { recordedAsOf });
    return this.reader.read(name, page);
  }
}
