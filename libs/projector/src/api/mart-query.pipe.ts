import {
  FILTER_OPERATORS,
  InvalidMartQueryError,
  MART_PAGE_DEFAULT_LIMIT,
  MART_PAGE_MAX_LIMIT,
  type FilterOperator,
  type MartFilter,
  type MartQuery,
} from '@olist/analytics';
import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, Matches, Max, Min, validateSync } from 'class-validator';
import type { LogPoint } from '../time-travel/marts-as-of.js';
import { CHECKPOINT_FORMAT } from '@olist/event-store';
import { IDENTIFIER, PathParam } from '@olist/infrastructure';

/** The `:name` of a mart read: a lower-case identifier (whether the mart exists is the reader's 404). */
export const MART_NAME = new PathParam('name', IDENTIFIER, 'a mart name (monthly_revenue, …)');

export const MART_FORMATS = ['json', 'csv', 'parquet'] as const;
export type MartFormat = (typeof MART_FORMATS)[number];

const NAME = '[a-z_][a-z0-9_]{0,62}';
const ORDER = new RegExp(`^-?${NAME}(,-?${NAME})*$`);
const FILTER_KEY = new RegExp(`^(${NAME})(?:\\.(${FILTER_OPERATORS.join('|')}))?$`);

/** The paging and format parameters of `GET /v1/marts/:name`; every other parameter is a column filter. */
export class MartPageParams {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MART_PAGE_MAX_LIMIT)
  limit: number = MART_PAGE_DEFAULT_LIMIT;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  offset: number = 0;

  @IsOptional() @Matches(ORDER, { message: 'order must be comma-separated column names, each optionally prefixed by - for descending (order=-gmv,month)' })
  order?: string;

  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value)) @IsIn(MART_FORMATS)
  format: MartFormat = 'json';

  @IsOptional() @Matches(CHECKPOINT_FORMAT, { message: 'atPosition must be a log position (e.g. a run\'s endedAtPosition: 20 digits, a colon, 20 digits)' })
  atPosition?: string;

  @IsOptional() @Type(() => Date) @IsDate({ message: 'recordedAsOf must be an ISO-8601 time' })
  recordedAsOf?: Date;
}

const RESERVED = new Set(['limit', 'offset', 'order', 'format', 'atPosition', 'recordedAsOf']);

export interface MartReadRequest {
  readonly query: MartQuery;
  readonly format: MartFormat;
  /** Time travel: the marts as they were at this point of the log (else the live marts). */
  readonly at?: LogPoint;
}

/**
 * Parses the query string of a mart read: `limit`, `offset`, `order`, `format` (class-validator, 400 naming
 * the parameter), and filters `column=v` (repeat it for several values), `column.gte=v` / `.gt` / `.lte` /
 * `.lt`. Which columns exist, and whether a value fits the column's type, is for the reader to say: it
 * holds the mart's catalog.
 */
@Injectable()
export class MartQueryPipe implements PipeTransform<Record<string, unknown>, MartReadRequest> {
  transform(raw: Record<string, unknown>): MartReadRequest {
    const paging: Record<string, unknown> = {};
    const filters: MartFilter[] = [];
    for (const [key, value] of Object.entries(raw ?? {})) {
      if (RESERVED.has(key)) {
        paging[key] = value;
        continue;
      }
      const match = FILTER_KEY.exec(key);
      if (!match) {
        throw new InvalidMartQueryError(key, `${key}: not a parameter; use limit, offset, order, format, or a column filter (column=value, column.gte=value, .gt, .lte, .lt)`);
      }
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || !values.every((v): v is string => typeof v === 'string')) {
        throw new InvalidMartQueryError(key, `${key}: give the value as text (${key}=value)`);
      }
      filters.push({ column: match[1]!, op: (match[2] ?? 'eq') as FilterOperator, values });
    }
    const params = plainToInstance(MartPageParams, paging);
    const [error] = validateSync(params);
    if (error) throw new InvalidMartQueryError(error.property, Object.values(error.constraints ?? {})[0] ?? `${error.property} is invalid`);
    const order = (params.order ?? '').split(',').filter(Boolean).map((o) => ({ column: o.replace(/^-/, ''), descending: o.startsWith('-') }));
    if (params.atPosition && params.recordedAsOf) throw new InvalidMartQueryError('atPosition', 'give atPosition or recordedAsOf, not both');
    const at: LogPoint | undefined = params.atPosition ? { atPosition: params.atPosition } : params.recordedAsOf ? { recordedAsOf: params.recordedAsOf } : undefined;
    return { query: { filters, order, limit: params.limit, offset: params.offset }, format: params.format, ...(at ? { at } : {}) };
  }
}
