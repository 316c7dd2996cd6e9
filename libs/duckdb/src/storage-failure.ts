/** What the operating system answered when DuckDB could not write (the text after the file name in DuckDB's message). */
const OS_REASON = /No space left on device|File too large|Disk quota exceeded|Input\/output error|Read-only file system/i;
/** DuckDB's own words once a failed checkpoint left the database unusable until it is attached again. */
const INVALIDATED = /has been invalidated/i;
const FILE = /file "([^"]+)"/;
const COMMITTED = /COMMIT succeeded and is durable/i;

/** Errors may come from another realm (the native addon under jest's VM modules): no instanceof. */
const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : String(error);

/**
 * DuckDB could not write the database file, its WAL or its temp directory (the disk is full, a file-size limit,
 * an I/O error), or had invalidated the database after such a failure. The failed transaction is rolled back, except
 * when DuckDB says its commit reached the WAL and only the checkpoint after it failed ({@link committed}): a writer
 * reads its state back before going on. Trying again once the cause is gone succeeds (an invalidated database is
 * attached again first).
 */
export class DuckDbStorageError extends Error {
  /** `true`: DuckDB invalidated the database; it must be attached again ({@link DuckDbDatabase} does so on next use). */
  readonly invalidated: boolean;
  /** The operating system's reason (`No space left on device`, `File too large`…), when DuckDB's message gives one. */
  readonly reason: string | undefined;
  /** The file DuckDB failed to write, when its message names one. */
  readonly file: string | undefined;
  /** DuckDB: "Transaction COMMIT succeeded and is durable, but the autocheckpoint failed". */
  readonly committed: boolean;

  constructor(
    /** The database file (`:memory:` for an in-memory one). */
    readonly database: string,
    cause: unknown,
  ) {
    const duckdb = messageOf(cause);
    const reason = OS_REASON.exec(duckdb)?.[0];
    const file = FILE.exec(duckdb)?.[1];
    const what = reason ?? (INVALIDATED.test(duckdb) ? 'invalidated after a failed write' : 'I/O error');
    super(`DuckDB file ${database}: ${what}${file && file !== database ? ` (writing ${file})` : ''}. DuckDB: ${duckdb}`, { cause });
    this.name = 'DuckDbStorageError';
    this.invalidated = INVALIDATED.test(duckdb);
    this.reason = reason;
    this.file = file;
    this.committed = COMMITTED.test(duckdb);
  }

  static is(error: unknown): error is DuckDbStorageError {
    return error instanceof Error && error.name === 'DuckDbStorageError';
  }
}

/** True when DuckDB's error is a failure to write to disk, or the invalidation such a failure leaves. */
export const isStorageFailure = (error: unknown): boolean => {
  if (DuckDbStorageError.is(error)) return true;
  const message = messageOf(error);
  return INVALIDATED.test(message) || OS_REASON.test(message);
};

/** `error` as a {@link DuckDbStorageError} if it is a storage failure, else unchanged. */
export const asStorageError = (database: string, error: unknown): unknown =>
  !DuckDbStorageError.is(error) && isStorageFailure(error) ? new DuckDbStorageError(database, error) : error;
