import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { plainValueConverter, type PlainRow } from './values.js';
import { asStorageError, DuckDbStorageError } from './storage-failure.js';

export const IN_MEMORY = ':memory:';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

export interface OpenOptions {
  /** DuckDB configuration options (`threads`, `memory_limit`, `access_mode`, …). */
  readonly config?: Record<string, string>;
  /**
   * Opens the file as an attached catalog (every connection `USE`s it), so that {@link DuckDbDatabase.compact}
   * can swap in a rewritten copy while connections stay open.
   */
  readonly compactable?: boolean;
}

/** The catalog a compactable database's file is attached as. */
const CATALOG = 'olist';

/**
 * Lets one exclusive task (a compaction) run while no statement does: statements wait while it runs, it waits
 * for the statements in progress (a transaction counts as one, from BEGIN to its end).
 */
class StatementGate {
  private active = 0;
  private paused: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  async enter(): Promise<void> {
    while (this.paused) await this.paused;
    this.active++;
  }

  leave(): void {
    if (--this.active === 0) this.drained?.();
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    while (this.paused) await this.paused;
    let release!: () => void;
    this.paused = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await task();
    } finally {
      this.paused = undefined;
      release();
    }
  }
}

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** What a client needs of its database. */
interface ClientOwner {
  /** A compactable database's gate: each statement (or transaction) passes it. */
  readonly gate: StatementGate | undefined;
  /** Resolves when statements may run (after attaching the file again if DuckDB invalidated it). */
  ready(): Promise<void>;
  /** A failed statement's error as the caller sees it (a {@link DuckDbStorageError} for a failed write). */
  failed(error: unknown): unknown;
}

/** A client made from a bare connection: no gate, errors as DuckDB gives them. */
const UNOWNED: ClientOwner = { gate: undefined, ready: () => Promise.resolve(), failed: (error) => error };

/** Rows per data chunk handed to the Appender: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * One DuckDB database (a file, or `:memory:`). DuckDB allows one read-write process per file; inside it,
 * open as many connections as needed with {@link connect}.
 */
export class DuckDbDatabase {
  private readonly gate = new StatementGate();
  /** DuckDB invalidated the attached file after a failed checkpoint: it refuses every statement until attached again. */
  private invalidated = false;
  private reattaching: Promise<void> | undefined;
  private readonly owner: ClientOwner;

  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    /** Set when the file is an attached catalog (compactable). */
    private readonly catalog?: string,
  ) {
    this.owner = {
      gate: catalog ? this.gate : undefined,
      ready: () => (this.invalidated && this.catalog ? this.reattach() : Promise.resolve()),
      failed: (error) => {
        const failure = asStorageError(this.path, error);
        if (DuckDbStorageError.is(failure) && failure.invalidated) this.invalidated = true;
        return failure;
      },
    };
  }

  /** Opens (creating it and its directory if needed) the database at `path`, or an in-memory one. */
  static async open(path: string = IN_MEMORY, options: OpenOptions = {}): Promise<DuckDbDatabase> {
    const isMemory = path === IN_MEMORY || path === '';
    const target = isMemory ? IN_MEMORY : resolve(path);
    if (!isMemory) mkdirSync(dirname(target), { recursive: true });
    if (isMemory || !options.compactable) return new DuckDbDatabase(target, await DuckDBInstance.create(target, options.config));
    const instance = await DuckDBInstance.create(IN_MEMORY, options.config);
    const setup = await instance.connect();
    try {
      await setup.run(`ATTACH ${literal(target)} AS ${CATALOG}`);
    } finally {
      setup.closeSync();
    }
    return new DuckDbDatabase(target, instance, CATALOG);
  }

  async connect(): Promise<DuckDbClient> {
    const connection = await this.instance.connect();
    if (!this.catalog) return new DuckDbClient(connection, this.owner);
    // A second try when the first finds the file invalidated (nothing had told yet): the reattach runs before it.
    for (let attempt = 1; ; attempt++) {
      const wasInvalidated = this.invalidated;
      try {
        await this.owner.ready();
        await this.gate.enter();
        try {
          await connection.run(`USE ${this.catalog}`);
        } finally {
          this.gate.leave();
        }
        return new DuckDbClient(connection, this.owner);
      } catch (error) {
        const failure = this.owner.failed(error);
        if (attempt === 1 && this.invalidated && !wasInvalidated) continue;
        connection.closeSync();
        throw failure;
      }
    }
  }

  /**
   * Attaches the file again (a compactable database) after DuckDB invalidated it: a checkpoint that could not be
   * written (the disk was full) leaves the attached file refusing every statement until then. The file and its
   * WAL hold every committed transaction. Statements wait meanwhile; open connections keep working after it.
   * Runs by itself before the next statement once a statement found the file invalidated.
   */
  reattach(): Promise<void> {
    const catalog = this.catalog;
    if (!catalog) return Promise.reject(new Error('reattach() needs a database opened with { compactable: true }'));
    this.reattaching ??= this.gate
      .exclusive(async () => {
        const control = await this.instance.connect();
        try {
          try {
            await control.run(`DETACH ${catalog}`);
          } catch {
            // Not attached: an earlier attempt detached it and could not attach it again.
          }
          await control.run(`ATTACH ${literal(this.path)} AS ${catalog}`);
          this.invalidated = false;
        } catch (error) {
          throw this.owner.failed(error);
        } finally {
          control.closeSync();
        }
      })
      .finally(() => (this.reattaching = undefined));
    return this.reattaching;
  }

  /**
   * Rewrites the database file with only its live content and swaps it in (a compactable database): DuckDB
   * keeps the old blocks of updated or deleted rows in the file, so after an erasure this is what removes the
   * erased values' bytes. Statements wait during the swap; open connections keep working after it.
   */
  async compact(): Promise<{ readonly bytesBefore: number; readonly bytesAfter: number }> {
    if (!this.catalog) throw new Error('compact() needs a database opened with { compactable: true }');
    const catalog = this.catalog;
    const next = `${this.path}.compacting`;
    const control = await this.instance.connect();
    try {
      return await this.gate.exclusive(async () => {
        for (const f of [next, `${next}.wal`]) rmSync(f, { force: true });
        await control.run(`CHECKPOINT ${catalog}`);
        const bytesBefore = await fileBytes(control, catalog);
        await control.run(`ATTACH ${literal(next)} AS ${catalog}_compacting`);
        try {
          await control.run(`COPY FROM DATABASE ${catalog} TO ${catalog}_compacting`);
        } finally {
          await control.run(`DETACH ${catalog}_compacting`);
        }
        await control.run(`DETACH ${catalog}`);
        try {
          renameSync(next, this.path);
          if (existsSync(`${this.path}.wal`)) rmSync(`${this.path}.wal`);
        } finally {
          await control.run(`ATTACH ${literal(this.path)} AS ${catalog}`);
        }
        return { bytesBefore, bytesAfter: await fileBytes(control, catalog) };
      });
    } finally {
      control.closeSync();
    }
  }

  /** Closes the instance. Connections must not be used afterwards. */
  close(): void {
    this.instance.closeSync();
  }
}

/** A connection with plain-row helpers, transactions and bulk appends. Not for concurrent use. */
export class DuckDbClient {
  private transactionDepth = 0;

  constructor(
    readonly connection: DuckDBConnection,
    private readonly owner: ClientOwner = UNOWNED,
  ) {}

  private async gated<T>(statement: () => Promise<T>): Promise<T> {
    const gate = this.owner.gate;
    try {
      if (!gate || this.transactionDepth > 0) return await statement();
      await this.owner.ready();
      await gate.enter();
      try {
        return await statement();
      } finally {
        gate.leave();
      }
    } catch (error) {
      throw this.owner.failed(error);
    }
  }

  /** True while inside {@link transaction}. */
  get inTransaction(): boolean {
    return this.transactionDepth > 0;
  }

  /**
   * Runs one statement (or, without params, a script of several) and returns the rows it changed.
   */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.gated(async () => (params ? await this.connection.run(sql, params) : await this.connection.run(sql)).rowsChanged);
  }

  /** Runs a query and returns its rows as plain JS objects (see {@link PlainRow} for the mapping). */
  query<T extends object = PlainRow>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.gated(async () => {
      const reader = params ? await this.connection.runAndReadAll(sql, params) : await this.connection.runAndReadAll(sql);
      return reader.convertRowObjects(plainValueConverter) as T[];
    });
  }

  /** The first row, or undefined. */
  async queryOne<T extends object = PlainRow>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  /** The first column of the first row, or undefined when there is no row. */
  scalar<T = unknown>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.gated(async () => {
      const reader = params ? await this.connection.runAndReadAll(sql, params) : await this.connection.runAndReadAll(sql);
      if (reader.currentRowCount === 0) return undefined;
      return reader.convertRows(plainValueConverter)[0]![0] as T;
    });
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT, or ROLLBACK when it throws (the error is rethrown). A call made
   * while a transaction is already open joins it: DuckDB has no savepoints.
   *
   * Appenders created on this connection write inside the open transaction: their rows commit or roll
   * back with it (verified for @duckdb/node-api 1.5.5-r.5 in libs/duckdb/test).
   */
  transaction<T>(fn: (client: DuckDbClient) => Promise<T>): Promise<T> {
    return this.transactionDepth > 0 ? this.joinTransaction(fn) : this.gated(() => this.newTransaction(fn));
  }

  private async joinTransaction<T>(fn: (client: DuckDbClient) => Promise<T>): Promise<T> {
    this.transactionDepth++;
    try {
      return await fn(this);
    } finally {
      this.transactionDepth--;
    }
  }

  private async newTransaction<T>(fn: (client: DuckDbClient) => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    this.transactionDepth = 1;
    try {
      const result = await fn(this);
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      try {
        await this.connection.run('ROLLBACK');
      } catch {
        // The transaction may already be gone (e.g. the commit itself failed); the original error matters.
      }
      throw error;
    } finally {
      this.transactionDepth = 0;
    }
  }

  /**
   * Bulk-writes columns of values to a table through the Appender, a data chunk of up to 2,048 rows at
   * a time. `columns[i]` holds every row's value for the table's i-th column, as a `DuckDBValue` of that
   * column's type (string, number, bigint, boolean, `decimalValue(...)`, `timestampValue(...)`, null).
   * Inside {@link transaction} the rows are part of the transaction. Returns the row count.
   */
  appendColumns(
    table: string,
    columns: ReadonlyArray<ReadonlyArray<DuckDBValue>>,
    options: { readonly schema?: string; readonly catalog?: string } = {},
  ): Promise<number> {
    return this.gated(() => this.append(table, columns, options));
  }

  private async append(
    table: string,
    columns: ReadonlyArray<ReadonlyArray<DuckDBValue>>,
    options: { readonly schema?: string; readonly catalog?: string },
  ): Promise<number> {
    const rowCount = columns[0]?.length ?? 0;
    if (rowCount === 0) return 0;
    for (const column of columns) {
      if (column.length !== rowCount) throw new Error(`appendColumns(${table}): columns differ in length`);
    }
    const appender = await this.connection.createAppender(table, options.schema ?? null, options.catalog ?? null);
    try {
      if (appender.columnCount !== columns.length) {
        throw new Error(`appendColumns(${table}): ${columns.length} columns given, the table has ${appender.columnCount}`);
      }
      const types: DuckDBType[] = [];
      for (let i = 0; i < appender.columnCount; i++) types.push(appender.columnType(i));
      for (let offset = 0; offset < rowCount; offset += CHUNK_ROWS) {
        const size = Math.min(CHUNK_ROWS, rowCount - offset);
        const chunk = DuckDBDataChunk.create(types, size);
        chunk.setColumns(
          offset === 0 && size === rowCount ? columns : columns.map((column) => column.slice(offset, offset + size)),
        );
        appender.appendDataChunk(chunk);
      }
      appender.closeSync(); // flushes
    } catch (error) {
      try {
        appender.closeSync();
      } catch {
        // Already failed; the caller's transaction rolls the partial rows back.
      }
      throw error;
    }
    return rowCount;
  }

  /** Row-wise form of {@link appendColumns}. */
  async appendRows(
    table: string,
    rows: ReadonlyArray<ReadonlyArray<DuckDBValue>>,
    options: { readonly schema?: string; readonly catalog?: string } = {},
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const width = rows[0]!.length;
    const columns: DuckDBValue[][] = Array.from({ length: width }, () => new Array<DuckDBValue>(rows.length));
    rows.forEach((row, r) => {
      if (row.length !== width) throw new Error(`appendRows(${table}): rows differ in width`);
      for (let c = 0; c < width; c++) columns[c]![r] = row[c]!;
    });
    return this.appendColumns(table, columns, options);
  }

  close(): void {
    this.connection.closeSync();
  }
}

const fileBytes = async (connection: DuckDBConnection, catalog: string): Promise<number> => {
  const reader = await connection.runAndReadAll(`SELECT total_blocks * block_size AS bytes FROM pragma_database_size() WHERE database_name = ${literal(catalog)}`);
  return Number(reader.getRows()[0]?.[0] ?? 0);
};
