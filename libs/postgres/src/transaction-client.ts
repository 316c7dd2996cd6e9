import type { SqlClient, SqlDialect, SqlResult } from './sql-client.js';

type RunQuery = (sql: string, params: ReadonlyArray<unknown>) => Promise<SqlResult<never>>;
type RunScript = (sql: string) => Promise<void>;

/** The `tx` handed to a transaction callback; nested transactions become savepoints. */
export class TransactionClient implements SqlClient {
  private ended = false;

  constructor(
    readonly dialect: SqlDialect,
    private readonly run: RunQuery,
    private readonly script: RunScript,
    private readonly depth = 0,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: ReadonlyArray<unknown> = []): Promise<SqlResult<R>> {
    if (this.ended) throw new Error('transaction client used after its transaction ended');
    return (await this.run(sql, params)) as SqlResult<R>;
  }

  async exec(sql: string): Promise<void> {
    if (this.ended) throw new Error('transaction client used after its transaction ended');
    await this.script(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const savepoint = `sp_${this.depth + 1}`;
    const nested = new TransactionClient(this.dialect, this.run, this.script, this.depth + 1);
    await this.query(`SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(nested);
      await this.query(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await this.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    } finally {
      nested.end();
    }
  }

  /** Called by the owner when the transaction commits or rolls back. */
  end(): void {
    this.ended = true;
  }

  async close(): Promise<void> {
    throw new Error('close the client that opened the transaction, not the transaction');
  }
}
