import type { SourceRow } from '@olist/ingestion';

export interface BatcherOptions {
  /** Rows per batch (at most). */
  readonly size: number;
  /** Approximate JSON bytes per batch (at most, unless one row alone is larger). */
  readonly maxBytes?: number;
}

/** Size of a row in the JSON request body (at most a few bytes over). */
export const rowJsonBytes = (row: SourceRow): number => {
  // {"line":1234567890,"values":[…]},
  return 30 + Buffer.byteLength(JSON.stringify(row.values));
};

/** Groups rows into batches by count and approximate body size. */
export class Batcher<T extends SourceRow = SourceRow> {
  private rows: T[] = [];
  private bytes = 0;

  constructor(private readonly options: BatcherOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('batch size must be a positive integer');
  }

  /** Adds a row; returns a full batch when one is ready (the row then starts the next batch if needed). */
  add(row: T): T[] | undefined {
    const size = rowJsonBytes(row);
    const { maxBytes } = this.options;
    let ready: T[] | undefined;
    if (maxBytes !== undefined && this.rows.length > 0 && this.bytes + size > maxBytes) ready = this.take();
    this.rows.push(row);
    this.bytes += size;
    if (this.rows.length >= this.options.size) {
      // Only one batch can be ready at a time: a byte-full batch was just taken, so this one has one row.
      return ready ?? this.take();
    }
    return ready;
  }

  /** The rows not yet returned, if any. */
  flush(): T[] | undefined {
    return this.rows.length > 0 ? this.take() : undefined;
  }

  private take(): T[] {
    const rows = this.rows;
    this.rows = [];
    this.bytes = 0;
    return rows;
  }
}

/** Splits a batch in two halves (for a 413 answer). */
export const splitBatch = <T>(rows: ReadonlyArray<T>): [T[], T[]] => {
  const mid = Math.ceil(rows.length / 2);
  return [rows.slice(0, mid), rows.slice(mid)];
};

/**
 * Runs async tasks with at most `limit` in flight. `run` resolves once the task has started, waiting
 * for a free slot first, so a producer loop gets backpressure. Tasks should handle their own errors;
 * one that rejects anyway is rethrown by `drain`.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  /** Highest number of tasks seen in flight at once. */
  maxInFlight = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get inFlight(): number {
    return this.running.size;
  }

  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const p: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
    this.maxInFlight = Math.max(this.maxInFlight, this.running.size);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}
