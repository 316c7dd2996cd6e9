import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import type { DuckDbDatabase } from '@olist/duckdb';
import { answerValue } from './answer-values.js';
import {
  InvalidQueryError,
  QUERY_SQL_MAX_LENGTH,
  QueryBusyError,
  QueryError,
  QueryTimeoutError,
  QueryUnavailableError,
  type AdHocQuery,
  type QueryColumn,
  type QueryResult,
  type QueryRow,
  type QueryRunner,
  type QuerySnapshot,
} from './query-runner.js';
import { QuerySnapshots, type SnapshotLease } from './query-snapshots.js';
import { MEMORY_SIZE } from './sandbox-instance.js';
import { prepareSelect, queryErrorOfDuckDb } from './select-statement.js';

export interface SandboxQueryRunnerOptions {
  /** Where the snapshot files go (one owner per directory). */
  readonly snapshotDir: string;
  /** How long a statement may run before it is interrupted (QUERY.TIMEOUT); also the longest wait for a slot. Default 10,000. */
  readonly timeoutMs?: number;
  /** The highest `limit` (default 100,000). */
  readonly maxRows?: number;
  /** `limit` when the query gives none (default 1,000). */
  readonly defaultRows?: number;
  /** The sandbox instance's DuckDB `memory_limit` (default `1GB`). */
  readonly memoryLimit?: string;
  /** The sandbox instance's DuckDB `threads` (default 1). */
  readonly threads?: number;
  /** Queries running at once, each on its own connection (default 2); the others wait, up to `timeoutMs`. */
  readonly concurrency?: number;
  readonly onSnapshot?: (snapshot: QuerySnapshot) => void;
  readonly onError?: (error: Error) => void;
}

/** A counting semaphore whose waiters give up after a while. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** True once a slot is held; false when none freed within `waitMs`. */
  acquire(waitMs: number): Promise<boolean> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(false);
      }, waitMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/**
 * Interrupts a connection's query once `timeoutMs` have passed, and again every 25 ms until stopped: DuckDB
 * forgets an interrupt that arrives while no query runs on the connection (between two statements, before
 * execution starts), and sees one only between two vectors of work.
 */
class Deadline {
  expired = false;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly connection: DuckDBConnection,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.interrupt(), timeoutMs);
  }

  interrupt(): void {
    this.expired = true;
    this.connection.interrupt();
    this.timer = setTimeout(() => this.interrupt(), 25);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** The first `limit` rows of a streaming result, and whether there were more: at most `limit` + 1 rows are fetched. */
const readCapped = async (result: DuckDBResult, limit: number, expired: () => boolean) => {
  const names = result.deduplicatedColumnNames();
  const columns: QueryColumn[] = result.columnTypes().map((type, i) => ({ name: names[i]!, type: type.toString() }));
  const rows: QueryRow[] = [];
  let truncated = false;
  while (!truncated && !expired()) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const wanted = Math.min(chunk.rowCount, limit + 1 - rows.length);
    const values = chunk.convertColumns(answerValue);
    for (let r = 0; r < wanted; r++) rows.push(Object.fromEntries(names.map((name, c) => [name, values[c]![r] ?? null])));
    if (rows.length > limit) {
      truncated = true;
      rows.length = limit;
    }
  }
  return { columns, rows, truncated };
};

/**
 * The in-process adapter of {@link QueryRunner}, in the process that owns the live DuckDB file: each query
 * runs on a sandboxed DuckDB instance opened read-only on a snapshot file of `core` and `mart`
 * ({@link QuerySnapshots}), never on the live database, so analysts neither see the projector's settings
 * nor block its writes. Per query: a slot (at most `concurrency` at once), a lease on the freshest
 * snapshot, a connection of its own, the one-SELECT check ({@link prepareSelect}), then a streaming
 * execution that fetches at most `limit` + 1 rows, interrupted at `timeoutMs`.
 */
export class SandboxQueryRunner implements QueryRunner {
  readonly timeoutMs: number;
  readonly maxRows: number;
  readonly defaultRows: number;
  readonly memoryLimit: string;
  private readonly snapshots: QuerySnapshots;
  private readonly slots: Slots;
  private readonly concurrency: number;
  private readonly running = new Set<Deadline>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(owner: Pick<DuckDbDatabase, 'connect'>, options: SandboxQueryRunnerOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRows = options.maxRows ?? 100_000;
    this.defaultRows = options.defaultRows ?? 1_000;
    this.memoryLimit = options.memoryLimit ?? '1GB';
    this.concurrency = options.concurrency ?? 2;
    const threads = options.threads ?? 1;
    for (const [name, value] of Object.entries({ timeoutMs: this.timeoutMs, maxRows: this.maxRows, defaultRows: this.defaultRows, threads, concurrency: this.concurrency })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`ad-hoc queries: ${name} must be a positive integer (got ${value})`);
    }
    if (this.defaultRows > this.maxRows) throw new Error(`ad-hoc queries: the default rows (${this.defaultRows}) exceed the max rows (${this.maxRows})`);
    if (!MEMORY_SIZE.test(this.memoryLimit)) throw new Error(`ad-hoc queries: the memory limit must be a size such as 512MB or 1GB (got "${this.memoryLimit}")`);
    this.slots = new Slots(this.concurrency);
    this.snapshots = new QuerySnapshots(owner, {
      dir: options.snapshotDir,
      limits: { memoryLimit: this.memoryLimit, threads },
      onSnapshot: options.onSnapshot,
      onError: options.onError,
    });
  }

  run(query: AdHocQuery): Promise<QueryResult> {
    const run = this.runOnce(query);
    this.inFlight.add(run);
    const forget = () => this.inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  /**
   * A consistent copy of the star schema and marts (the query snapshot, as fresh as the live schemas) for a
   * reader of the whole file, e.g. a download: it stays on disk until `release()`.
   */
  leaseSnapshot(): Promise<SnapshotLease> {
    if (this.closed) throw new QueryUnavailableError('the query runner is closing');
    return this.snapshots.lease();
  }

  /** Drops the current snapshot file once its queries end (after an erasure): the next query copies the live schemas again. */
  retireSnapshots(): void {
    this.snapshots.retire();
  }

  /** Interrupts the queries running, waits for them, then closes and removes the snapshots. */
  async close(): Promise<void> {
    this.closed = true;
    for (const deadline of this.running) deadline.interrupt();
    await Promise.allSettled([...this.inFlight]);
    await this.snapshots.close();
  }

  private async runOnce(query: AdHocQuery): Promise<QueryResult> {
    const limit = this.limitOf(query.limit);
    const sql = this.sqlOf(query.sql);
    if (this.closed) throw new QueryUnavailableError('the query runner is closing');
    const queued = performance.now();
    if (!(await this.slots.acquire(this.timeoutMs))) {
      throw new QueryBusyError(`all ${this.concurrency} query slots stayed busy for ${this.timeoutMs} ms; try again`, { concurrency: this.concurrency });
    }
    try {
      const lease = await this.snapshots.lease();
      try {
        const waitedMs = Math.round(performance.now() - queued);
        const started = performance.now();
        const { columns, rows, truncated } = await this.execute(lease.db, sql, limit);
        const elapsedMs = Math.round(performance.now() - started);
        return { columns, rows, rowCount: rows.length, truncated, limit, elapsedMs, waitedMs, snapshot: lease.snapshot };
      } finally {
        lease.release();
      }
    } finally {
      this.slots.release();
    }
  }

  private async execute(db: DuckDbDatabase, sql: string, limit: number) {
    const client = await db.connect();
    const deadline = new Deadline(client.connection, this.timeoutMs);
    this.running.add(deadline);
    try {
      const prepared = await prepareSelect(client.connection, sql, this.memoryLimit);
      try {
        const answer = await readCapped(await prepared.stream(), limit, () => deadline.expired);
        if (deadline.expired) throw new Error('Interrupted!');
        return answer;
      } finally {
        prepared.destroySync();
      }
    } catch (error) {
      if (this.closed) throw new QueryUnavailableError('the query runner is closing');
      if (deadline.expired) {
        throw new QueryTimeoutError(`the query ran longer than ${this.timeoutMs} ms (QUERY_TIMEOUT_MS) and was interrupted`, { timeoutMs: this.timeoutMs });
      }
      throw error instanceof QueryError ? error : queryErrorOfDuckDb(error, this.memoryLimit);
    } finally {
      deadline.stop();
      this.running.delete(deadline);
      client.close();
    }
  }

  private limitOf(limit: number | undefined): number {
    if (limit === undefined || limit === null) return this.defaultRows;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.maxRows) {
      throw new InvalidQueryError(`limit must be an integer from 1 to ${this.maxRows} (QUERY_MAX_ROWS)`, { parameter: 'limit' });
    }
    return limit;
  }

  private sqlOf(sql: unknown): string {
    if (typeof sql !== 'string' || sql.trim() === '') throw new InvalidQueryError('sql must be one SELECT statement', { parameter: 'sql' });
    if (sql.length > QUERY_SQL_MAX_LENGTH) {
      throw new InvalidQueryError(`sql must be at most ${QUERY_SQL_MAX_LENGTH} characters`, { parameter: 'sql' });
    }
    return sql;
  }
}
