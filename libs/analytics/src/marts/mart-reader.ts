import { ApplicationError } from '@olist/shared-kernel';
import { MART_TABLES } from './mart-refresher.js';

/**
 * The query side of the marts (spec §11 "list marts, read a mart with filters, paging and format"): a
 * port with two adapters, {@link DuckDbMartReader} in the process that owns the DuckDB file, and an HTTP
 * client of that process (apps/api) when the API runs apart from the projector.
 */
export interface MartReader {
  /** Every mart with its columns, descriptions and row count, as of one refresh. */
  catalog(): Promise<MartCatalog>;
  /** One page of a mart (`monthly_revenue`, without the schema), filtered and ordered, as of one refresh. */
  read(mart: string, query: MartQuery): Promise<MartPage>;
  /** The refresh the marts are at now: the one a read asked now answers from, or a later one. */
  currentRefresh(): Promise<MartRefresh>;
}

/** A value as answers carry it: JSON-safe (DATE 'YYYY-MM-DD', TIMESTAMP ISO-8601, DECIMAL a number). */
export type MartValue = string | number | boolean | null;
export type MartRow = Record<string, MartValue>;

export interface MartColumn {
  readonly name: string;
  /** DuckDB type, e.g. `DATE`, `BIGINT`, `DECIMAL(18,2)`, `DOUBLE`, `VARCHAR`. */
  readonly type: string;
  readonly description: string | null;
}

export interface MartInfo {
  /** `monthly_revenue`: the name in `/v1/marts/:name`. */
  readonly name: string;
  /** `mart.monthly_revenue`: the table in the DuckDB file. */
  readonly table: string;
  readonly description: string | null;
  readonly rows: number;
  readonly columns: ReadonlyArray<MartColumn>;
}

/**
 * The refresh an answer reflects: every row of the answer comes from the marts this refresh committed
 * (one DuckDB transaction wrote them all), never from two refreshes.
 */
export interface MartRefresh {
  /** 1, 2, …: the refresh's rank in `mart.refresh_log` (the marts' version as readers see it). */
  readonly sequence: number;
  readonly refreshedAt: string;
  /** The star schema checkpoint the marts were built from (null: nothing projected yet). */
  readonly checkpoint: string | null;
  readonly eventsProjected: number | null;
}

export interface MartCatalog {
  readonly refresh: MartRefresh;
  readonly marts: ReadonlyArray<MartInfo>;
}

export const FILTER_OPERATORS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** `column = v` (several values: `column IN (…)`), or one bound of a range. Values are text, typed by the column. */
export interface MartFilter {
  readonly column: string;
  readonly op: FilterOperator;
  readonly values: ReadonlyArray<string>;
}

export interface MartOrder {
  readonly column: string;
  readonly descending: boolean;
}

export interface MartQuery {
  readonly filters: ReadonlyArray<MartFilter>;
  /** Empty: the mart's natural order ({@link MART_DEFAULT_ORDER}). Ties are always broken by every column. */
  readonly order: ReadonlyArray<MartOrder>;
  readonly limit: number;
  readonly offset: number;
}

export interface MartPage {
  readonly mart: string;
  readonly refresh: MartRefresh;
  readonly columns: ReadonlyArray<MartColumn>;
  /** Rows matching the filters (all pages). */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly rows: ReadonlyArray<MartRow>;
}

export const MART_PAGE_DEFAULT_LIMIT = 100;
export const MART_PAGE_MAX_LIMIT = 100_000;

/** The mart names readers use: {@link MART_TABLES} without the `mart.` schema. */
export const MART_NAMES: ReadonlyArray<string> = MART_TABLES.map((table) => table.slice('mart.'.length));

/** Each mart's natural order (its grain, or its ranking), as its SQL file states it. `-` = descending. */
export const MART_DEFAULT_ORDER: Readonly<Record<string, ReadonlyArray<string>>> = {
  monthly_revenue: ['month'],
  customer_cohorts: ['cohort_month', 'months_since'],
  customer_segments: ['customer_unique_id'],
  seller_scorecard: ['gmv_rank', 'seller_id'],
  delivery_performance: ['month', 'customer_state'],
  category_performance: ['gmv_rank', 'category'],
  review_vs_delivery: ['bucket_order'],
  payment_mix: ['-value', 'payment_type'],
};

/** The query parameter a filter came from: `state` for equality, `month.gte` for a bound. */
export const filterParameter = (filter: Pick<MartFilter, 'column' | 'op'>): string =>
  filter.op === 'eq' ? filter.column : `${filter.column}.${filter.op}`;

/** A mart read that cannot be answered; both adapters raise the same errors (the HTTP one from the body's `code`). */
export abstract class MartReadError extends ApplicationError {}

export class UnknownMartError extends MartReadError {
  readonly code = 'MART.UNKNOWN_MART';
  readonly kind = 'not_found';

  constructor(readonly mart: string) {
    super(`unknown mart "${mart}"; the marts are ${MART_NAMES.join(', ')}`, { mart, marts: MART_NAMES });
  }
}

/** Bad input, naming the query parameter at fault (`limit`, `order`, `month.gte`, …) in `details.parameter`. */
export class InvalidMartQueryError extends MartReadError {
  readonly code: string = 'MART.INVALID_QUERY';
  readonly kind = 'invalid';

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message, { parameter });
  }
}

/** A filter or an order on a column the mart does not have. */
export class UnknownMartColumnError extends InvalidMartQueryError {
  override readonly code = 'MART.UNKNOWN_COLUMN';
}

/** Not built yet (projector just started), or the projector that owns them cannot be reached. */
export class MartsUnavailableError extends MartReadError {
  readonly code = 'MART.UNAVAILABLE';
  readonly kind = 'unavailable';
}
