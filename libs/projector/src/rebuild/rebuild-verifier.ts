import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildAndCompare, type RebuildReport } from './rebuild.js';
import { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore } from '@olist/event-store';
import { OPERATIONAL_READ_MODELS } from '../runtime/operational-read-models.js';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { ApplicationError } from '@olist/shared-kernel';

/** Rebuild-and-verify, wherever it runs: in the DuckDB owner's process, or forwarded to it over HTTP. */
export interface RebuildVerification {
  run(): Promise<RebuildReport>;
}

/** The process that owns the read models cannot be reached, or failed the rebuild (PROJECTOR=external). */
export class RebuildUnavailableError extends ApplicationError {
  readonly code = 'REBUILD.UNAVAILABLE';
  readonly kind = 'unavailable';
}

/** A rebuild is already running (one at a time: each replays the whole log). */
export class RebuildInProgressError extends ApplicationError {
  readonly code = 'REBUILD.IN_PROGRESS';
  readonly kind = 'conflict';

  constructor(message = 'a rebuild-and-verify is already running; try again when it has finished') {
    super(message);
  }
}

/**
 * `npm run rebuild` inside the process that owns the live read models (spec §11, rebuild-and-verify):
 * replays the log from position 0 into a fresh DuckDB file and an in-memory PGlite, and compares every
 * table with the live one by content hash. Each projection is replayed up to the live checkpoint read at
 * the start, so run it while no load is in flight: a live table that moves during the comparison is
 * reported as different.
 */
export class RebuildVerifier implements RebuildVerification {
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly duckdb: DuckDbDatabase,
    private readonly sql: SqlClient,
  ) {}

  async run(): Promise<RebuildReport> {
    if (this.running) throw new RebuildInProgressError();
    this.running = true;
    const dir = await mkdtemp(join(tmpdir(), 'olist-dw-rebuild-'));
    const closers: Array<() => Promise<unknown> | void> = [() => rm(dir, { recursive: true, force: true })];
    try {
      const liveDuckDb = await this.duckdb.connect();
      closers.unshift(() => liveDuckDb.close());
      const freshSql = await createPgliteClient();
      closers.unshift(() => freshSql.close());
      const freshDuckDb = await DuckDbDatabase.open(join(dir, 'rebuilt.duckdb'));
      closers.unshift(() => freshDuckDb.close());
      return await rebuildAndCompare({ store: this.store, liveDuckDb, freshDuckDb, liveSql: this.sql, freshSql, readModels: OPERATIONAL_READ_MODELS });
    } finally {
      for (const close of closers) await close();
      this.running = false;
    }
  }
}
