export type SqlDialect = 'pg' | 'pglite';

export interface SqlResult<R> {
  rows: R[];
  /** Rows returned (SELECT, RETURNING) or affected (INSERT/UPDATE/DELETE without RETURNING). */
  rowCount: number;
}

/**
 * The smallest SQL surface the event store and the Postgres read models need, over `pg` or PGlite.
 * int8 columns come back as `bigint` on both drivers; timestamptz as `Date`; json/jsonb parsed.
 */
export interface SqlClient {
  readonly dialect: SqlDialect;
  query<R = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): Promise<SqlResult<R>>;
  /** Runs a script of several statements (no parameters, no results): migrations. */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction (READ COMMITTED unless the server default differs): committed when it
   * resolves, rolled back when it throws. Nested calls on the `tx` client use savepoints.
   * Use only `tx` inside `fn`: on PGlite, a query on the outer client waits for the transaction to end.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; resolves to an unlisten function. Optional: transaction clients do not have it.
   * Notifications are a best-effort wake-up signal, never a source of truth.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** SQLSTATE of a driver error (both `pg` and PGlite put it on `.code`), if any. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const SqlStates = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  idleInTransactionTimeout: '25P03',
} as const;

/** Quotes an identifier (channel, schema or table name) for interpolation into SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
