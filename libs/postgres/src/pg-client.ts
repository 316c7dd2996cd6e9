import pg from 'pg';
import { quoteIdent, type SqlClient, type SqlResult } from './sql-client.js';
import { TransactionClient } from './transaction-client.js';

const INT8_OID = 20;

/** int8 as bigint, everything else as `pg` parses it by default. Per pool, not global. */
const bigintTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgClientOptions {
  /** Pool size (default 10). */
  readonly max?: number;
  /**
   * Server-side `idle_in_transaction_session_timeout` for every pooled session (default 60 s): a session
   * left idle inside a transaction holds back the cluster-wide xmin, which stalls event-store subscribers.
   */
  readonly idleInTransactionTimeoutMs?: number;
  readonly applicationName?: string;
  /** Errors of idle pooled connections or of the LISTEN connection (default: ignored; they reconnect). */
  readonly onError?: (error: Error) => void;
}

/**
 * Server settings of every session, sent in the startup packet's `options` (no extra round trip). A connection
 * string's own `options` are sent after them, so they win.
 *
 * `jit=off`: our statements are short (index probes, a batch's rows), yet a server that never analyzed the tables
 * (autovacuum off) estimates millions of rows, and above `jit_above_cost` compiles each statement with LLVM. A
 * command-side read of 450 order streams took 190 ms, 145 of them compiling; 25 ms without JIT.
 */
export const SESSION_OPTIONS = '-c jit=off';

/** The pool's connection string and options: a URL's own `options` (which pg would let replace ours) moved after ours. */
const withSessionOptions = (connectionString: string): { connectionString: string; options: string } => {
  try {
    const url = new URL(connectionString);
    const own = url.searchParams.get('options');
    if (own !== null) {
      url.searchParams.delete('options');
      return { connectionString: url.toString(), options: `${SESSION_OPTIONS} ${own}` };
    }
  } catch {
    // not a URL: pg's parser reads it as it is
  }
  return { connectionString, options: SESSION_OPTIONS };
};

/** {@link SqlClient} over a `pg.Pool`. */
export class PgSqlClient implements SqlClient {
  readonly dialect = 'pg' as const;
  readonly pool: pg.Pool;
  private readonly listener: PgListener;

  constructor(connectionString: string, options: PgClientOptions = {}) {
    const config: pg.PoolConfig = {
      ...withSessionOptions(connectionString),
      max: options.max ?? 10,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
      application_name: options.applicationName ?? 'olist-dw',
      types: bigintTypes,
    };
    this.pool = new pg.Pool(config);
    const onError = options.onError ?? (() => {});
    // Without a listener, an error on an idle pooled client (server restart, timeout) crashes the process.
    this.pool.on('error', onError);
    this.listener = new PgListener({ ...config, max: undefined } as pg.ClientConfig, onError);
  }

  async query<R = Record<string, unknown>>(sql: string, params: ReadonlyArray<unknown> = []): Promise<SqlResult<R>> {
    const result = await this.pool.query(sql, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    const tx = new TransactionClient(
      'pg',
      async (sql, params) => {
        const result = await connection.query(sql, params as unknown[]);
        return { rows: result.rows as never[], rowCount: result.rowCount ?? result.rows.length };
      },
      async (sql) => void (await connection.query(sql)),
    );
    let broken: Error | undefined;
    // The server may end the session mid-transaction (idle_in_transaction_session_timeout, restart): the
    // error surfaces through the next query, but the client also emits it and would crash the process unheard.
    const onConnectionError = (error: Error) => {
      broken = error;
    };
    connection.on('error', onConnectionError);
    try {
      await connection.query('BEGIN');
      const result = await fn(tx);
      tx.end();
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      tx.end();
      try {
        await connection.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error; // the connection is unusable: destroy it instead of pooling it
      }
      throw error;
    } finally {
      connection.removeListener('error', onConnectionError);
      connection.release(broken);
    }
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.listener.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }
}

/**
 * One dedicated connection (outside the pool) for LISTEN, shared by all channels of a client.
 * Reconnects after an error; notifications missed meanwhile are covered by the caller's polling.
 */
class PgListener {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError: (error: Error) => void,
  ) {}

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('client closed');
    let callbacks = this.channels.get(channel);
    if (!callbacks) {
      callbacks = new Set();
      this.channels.set(channel, callbacks);
      const client = await this.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    }
    callbacks.add(onNotify);
    return async () => {
      const set = this.channels.get(channel);
      if (!set?.delete(onNotify) || set.size > 0) return;
      this.channels.delete(channel);
      await this.client?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
    };
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client(this.config);
      client.on('notification', (message) => {
        for (const callback of this.channels.get(message.channel) ?? []) callback(message.payload ?? '');
      });
      client.on('error', (error) => this.lost(client, error));
      try {
        await client.connect();
        this.client = client;
        return client;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    if (this.closed) return;
    this.onError(error);
    this.reconnectTimer = setTimeout(() => void this.resubscribe(), 1000);
    this.reconnectTimer.unref();
  }

  private async resubscribe(): Promise<void> {
    if (this.closed || this.channels.size === 0) return;
    try {
      const client = await this.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (error) {
      this.onError(error as Error);
      if (this.client) this.lost(this.client, error as Error);
      else {
        this.reconnectTimer = setTimeout(() => void this.resubscribe(), 1000);
        this.reconnectTimer.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.channels.clear();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

export function createPgClient(connectionString: string, options?: PgClientOptions): PgSqlClient {
  return new PgSqlClient(connectionString, options);
}
