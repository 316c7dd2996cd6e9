import { PGlite, types, type PGliteOptions, type Results } from '@electric-sql/pglite';
import type { SqlClient, SqlResult } from './sql-client.js';
import { TransactionClient } from './transaction-client.js';

// Per query as well as per instance, so that a PGlite created elsewhere (and shared) still gets bigints.
const queryOptions = { parsers: { [types.INT8]: (value: string) => BigInt(value) } };

function toResult<R>(result: Results<R>): SqlResult<R> {
  return { rows: result.rows, rowCount: result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0) };
}

export interface PgliteClientOptions {
  /** Close the PGlite instance when the client is closed (default: true when the client created it). */
  readonly ownsDatabase?: boolean;
}

/**
 * {@link SqlClient} over PGlite (PostgreSQL in wasm, one session): transactions run one at a time, and a
 * query on this client waits while a transaction is open.
 */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  private readonly ownsDatabase: boolean;

  constructor(
    readonly db: PGlite,
    options: PgliteClientOptions = {},
  ) {
    this.ownsDatabase = options.ownsDatabase ?? false;
  }

  async query<R = Record<string, unknown>>(sql: string, params: ReadonlyArray<unknown> = []): Promise<SqlResult<R>> {
    return toResult(await this.db.query<R>(sql, params as unknown[], queryOptions));
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (pgliteTx) => {
      const tx = new TransactionClient(
        'pglite',
        async (sql, params) => toResult(await pgliteTx.query<never>(sql, params as unknown[], queryOptions)),
        async (sql) => void (await pgliteTx.exec(sql)),
      );
      try {
        return await fn(tx);
      } finally {
        tx.end();
      }
    });
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify).then((unlisten) => () => unlisten());
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && !this.db.closed) await this.db.close();
  }
}

/**
 * Opens PGlite: in memory when `dataDir` is undefined, else persisted in that directory (created if absent).
 * Only one PGlite instance may open a data directory: share the returned client (or its `db`).
 */
export async function createPgliteClient(dataDir?: string, options: Omit<PGliteOptions, 'dataDir'> = {}): Promise<PgliteSqlClient> {
  const db = await PGlite.create({ ...options, dataDir, parsers: { ...queryOptions.parsers, ...options.parsers } });
  return new PgliteSqlClient(db, { ownsDatabase: true });
}
