import { MART_NAMES, MART_PAGE_DEFAULT_LIMIT, MART_PAGE_MAX_LIMIT, martPageToParquet, type MartPage, type MartReader } from '@olist/analytics';
import { Controller, Get, Header, Inject, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { MART_READER, MARTS_AS_OF } from '../tokens.js';
import type { MartTimeTravel } from '../time-travel/marts-as-of.js';
import { MART_FORMATS, MART_NAME, MartQueryPipe, type MartReadRequest } from './mart-query.pipe.js';
import { MartCatalogDto, MartPageDto } from './marts.dto.js';
import { Roles } from '@olist/security';

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

/** Analysts' reads of the `mart` schema (spec §11 Query), answered by the process that owns the DuckDB file. */
@ApiTags('marts')
@Roles('analyst', 'auditor')
@Controller('v1/marts')
export class MartsController {
  constructor(
    @Inject(MART_READER) private readonly reader: MartReader,
    @Inject(MARTS_AS_OF) private readonly timeTravel: MartTimeTravel,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The marts: names, descriptions, row counts and columns with types and descriptions, as of one refresh' })
  @ApiOkResponse({ type: MartCatalogDto })
  @ApiServiceUnavailableResponse({ description: 'MART.UNAVAILABLE: marts not built yet, or the projector unreachable (Retry-After)' })
  catalog() {
    return this.reader.catalog();
  }

  @Get(':name')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'A page of a mart, filtered and ordered, as JSON, CSV or Parquet',
    description:
      'Filters: `column=value` (repeat for several values: `customer_state=SP&customer_state=RJ`), and for numbers, dates and ' +
      'timestamps `column.gte=`, `.gt=`, `.lte=`, `.lt=`. Values are typed by the column (dates YYYY-MM-DD). Every row of an answer ' +
      'comes from one mart refresh, reported in `refresh` (CSV and Parquet: X-Mart-Refresh-* headers); a client paging through a mart can ' +
      'compare refresh.sequence between pages. Parquet keeps the mart\'s column types (DECIMAL, DATE, BIGINT…).',
  })
  @ApiParam({ name: 'name', enum: MART_NAMES })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1-${MART_PAGE_MAX_LIMIT}, default ${MART_PAGE_DEFAULT_LIMIT}` })
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'default 0' })
  @ApiQuery({ name: 'order', required: false, type: String, description: 'comma-separated columns, - for descending, e.g. -gmv,month (default: the mart\'s natural order)' })
  @ApiQuery({ name: 'format', required: false, enum: MART_FORMATS })
  @ApiQuery({ name: 'atPosition', required: false, type: String, description: "time travel: the mart as it was when the log ended at this position (e.g. a run's endedAtPosition)" })
  @ApiQuery({ name: 'recordedAsOf', required: false, type: String, description: 'time travel: the mart as it was with the log as recorded up to this time' })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.apache.parquet')
  @ApiOkResponse({ type: MartPageDto })
  @ApiBadRequestResponse({
    description: 'MART.UNKNOWN_COLUMN, or MART.INVALID_QUERY: unknown parameter, value not of the column\'s type, limit/offset/order/format invalid; `details.parameter` names it',
  })
  @ApiNotFoundResponse({ description: 'MART.UNKNOWN_MART' })
  @ApiServiceUnavailableResponse({ description: 'MART.UNAVAILABLE: marts not built yet, or the projector unreachable (Retry-After)' })
  async read(
    @Param('name', MART_NAME) name: string,
    @Query(MartQueryPipe) request: MartReadRequest,
    @Res({ passthrough: true }) response: HeaderResponse,
  ): Promise<MartPage | string | StreamableFile> {
    const page = request.at ? await this.timeTravel.readAt(name, request.query, request.at) : await this.reader.read(name, request.query);
    if ('position' in page) response.setHeader('X-Mart-Position', String(page.position));
    response.setHeader('X-Mart-Refresh-Sequence', String(page.refresh.sequence));
    response.setHeader('X-Mart-Refreshed-At', page.refresh.refreshedAt);
    if (page.refresh.checkpoint !== null) response.setHeader('X-Mart-Checkpoint', page.refresh.checkpoint);
    response.setHeader('X-Total-Count', String(page.total));
    if (request.format === 'json') return page;
    if (request.format === 'parquet') {
      return new StreamableFile(await martPageToParquet(page), {
        type: 'application/vnd.apache.parquet',
        disposition: `attachment; filename="${page.mart}.parquet"`,
      });
    }
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${page.mart}.csv"`);
    return stringify(page.rows as Array<Record<string, unknown>>, {
      header: true,
      columns: page.columns.map((c) => c.name),
      cast: { boolean: (value) => String(value), number: (value) => String(value) },
    });
  }
}
