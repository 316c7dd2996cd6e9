import { ApplicationError, type ErrorBody } from '@olist/shared-kernel';

/**
 * Analysts' ad-hoc SQL (`POST /v1/query`, docs/ad-hoc-sql.md): ONE read-only SELECT over the `core` star
 * schema and the `mart` schema. A port with two adapters, like the marts' reader:
 * {@link SandboxQueryRunner} in the process that owns the DuckDB file, and an HTTP client of that process
 * (libs/projector) when the API runs apart from the projector. Both raise the same {@link QueryError}s.
 */
export interface QueryRunner {
  run(query: AdHocQuery): Promise<QueryResult>;
}

export interface AdHocQuery {
  /** One SELECT (or WITH … SELECT, VALUES, TABLE, FROM …) statement. */
  readonly sql: string;
  /** Rows to answer at most (default: the runner's default rows; at most its max rows). */
  readonly limit?: number;
}

/** A value as answers carry it: JSON-safe (DATE 'YYYY-MM-DD', TIMESTAMP ISO-8601, DECIMAL a number, lists and structs nested). */
export type QueryValue = string | number | boolean | null | QueryValue[] | { [key: string]: QueryValue };
export type QueryRow = Record<string, QueryValue>;

export interface QueryColumn {
  /** The column's name, made unique (`a`, `a_1`) where the SELECT repeats one: the rows' keys. */
  readonly name: string;
  /** DuckDB type, e.g. `DATE`, `BIGINT`, `DECIMAL(18,2)`, `VARCHAR[]`. */
  readonly type: string;
}

/** The snapshot of `core` and `mart` that answered: every row of an answer comes from one point in time. */
export interface QuerySnapshot {
  /** When the DuckDB owner copied it (ISO-8601). */
  readonly takenAt: string;
  /** The star schema's checkpoint in the copy (null: nothing projected yet). */
  readonly checkpoint: string | null;
  readonly eventsProjected: number | null;
  /** The last mart refresh in the copy (`mart.refresh_log`): its rank and time; null before the first refresh. */
  readonly martRefresh: { readonly sequence: number; readonly refreshedAt: string } | null;
  /** How long the copy took. */
  readonly copyMs: number;
}

export interface QueryResult {
  readonly columns: ReadonlyArray<QueryColumn>;
  readonly rows: ReadonlyArray<QueryRow>;
  /** Rows answered (at most `limit`). */
  readonly rowCount: number;
  /** True when the query has more rows than `limit` (only `limit` + 1 were fetched). */
  readonly truncated: boolean;
  readonly limit: number;
  /** Time the statement ran: checks, planning, execution and fetching. */
  readonly elapsedMs: number;
  /** Time spent before it ran: waiting for a free slot and for a fresh snapshot. */
  readonly waitedMs: number;
  readonly snapshot: QuerySnapshot;
}

/** The longest SQL text taken (characters). */
export const QUERY_SQL_MAX_LENGTH = 100_000;

/** An ad-hoc query that cannot be answered; both adapters raise the same errors (the HTTP one from the body's `code`). */
export abstract class QueryError extends ApplicationError {}

/** Not SQL DuckDB can run here: a syntax or binder error (DuckDB's message), an empty text, or a bad `limit`. */
export class InvalidQueryError extends QueryError {
  readonly code = 'QUERY.INVALID';
  readonly kind = 'invalid';
}

/** More than one statement (a PIVOT without an IN list counts as two: DuckDB runs it as two). */
export class MultipleStatementsError extends QueryError {
  readonly code = 'QUERY.MULTIPLE_STATEMENTS';
  readonly kind = 'invalid';
}

/** One statement, but not a SELECT (SET, PRAGMA, CALL, CREATE, INSERT, ATTACH, COPY, EXPLAIN…). */
export class NotASelectError extends QueryError {
  readonly code = 'QUERY.NOT_A_SELECT';
  readonly kind = 'invalid';
}

/** DuckDB's sandbox refused what the statement tried: a file, an extension, a setting. */
export class QueryRefusedError extends QueryError {
  readonly code = 'QUERY.REFUSED';
  readonly kind = 'invalid';
}

/** The query ran longer than the timeout and was interrupted. */
export class QueryTimeoutError extends QueryError {
  readonly code = 'QUERY.TIMEOUT';
  readonly kind = 'invalid';
}

/** The query needed more memory than the sandbox's `memory_limit` (the sandbox does not spill to disk). */
export class QueryOutOfMemoryError extends QueryError {
  readonly code = 'QUERY.OUT_OF_MEMORY';
  readonly kind = 'invalid';
}

/** Every query slot stayed taken while the query waited: try again. */
export class QueryBusyError extends QueryError {
  readonly code = 'QUERY.BUSY';
  readonly kind = 'unavailable';
}

/** No snapshot can be made or opened now, the runner is closing, or the projector process cannot be reached. */
export class QueryUnavailableError extends QueryError {
  readonly code = 'QUERY.UNAVAILABLE';
  readonly kind = 'unavailable';
}

type QueryErrorClass = new (message: string, details?: Readonly<Record<string, unknown>>) => QueryError;

const BY_CODE: ReadonlyMap<string, QueryErrorClass> = new Map<string, QueryErrorClass>(
  [
    InvalidQueryError,
    MultipleStatementsError,
    NotASelectError,
    QueryRefusedError,
    QueryTimeoutError,
    QueryOutOfMemoryError,
    QueryBusyError,
    QueryUnavailableError,
  ].map((type) => [new type('').code, type]),
);

/**
 * The typed error of an error answer of the query endpoint (docs/errors.md), for HTTP clients of it. A
 * validation failure of the request (`REQUEST.INVALID`) is an invalid query; any other code, undefined.
 */
export const queryErrorOf = ({ code, message, details }: ErrorBody): QueryError | undefined => {
  const type = code === 'REQUEST.INVALID' ? InvalidQueryError : BY_CODE.get(code);
  return type ? new type(message, details) : undefined;
};
