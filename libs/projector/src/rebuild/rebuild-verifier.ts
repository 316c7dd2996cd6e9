import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildAndCompare, type RebuildReport } from './rebuild.js';
import { contentHashes, MART_TABLES, STAR_SCHEMA_TABLES, tableCounts } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { buildStarSchemaAsOf, resolveLogPoint } from '../time-travel/marts-as-of.js';
import type { EventStore } from '@olist/event-store';
import { OPERATIONAL_READ_MODELS } from '../runtime/operational-read-models.js';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { ApplicationError } from '@olist/shared-kernel';

/** The star schema and marts rebuilt as of a position (no live counterpart to compare with): rows and content hash per table. */
export interface AsOfReport {
  readonly kind: 'as-of';
  readonly position: string;
  readonly events: number;
  readonly durationMs: number;
  readonly tables: ReadonlyArray<{ readonly table: string; readonly rows: number; readonly hash: string }>;
}

export interface RebuildRun {
  /** Only up to this log position: the read models as they were then (an {@link AsOfReport}). */
  readonly to?: string;
  readonly onProgress?: (projection: string, events: number) => void;
}

/** Rebuild-and-verify, wherever it runs: in the DuckDB owner's process, or forwarded to it over HTTP. */
export interface RebuildVerification {
  run(options?: RebuildRun): Promise<RebuildReport | AsOfReport>;
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

  constructor(message = 'a rebuild-and-verify is already running; try again when it has finished', details: Record<string, unknown> = {}) {
    super(message, details);
  }
}

/**
 * `npm run rebuild` inside the process that owns the live read models (spec §11, rebuild-and-verify):
 * replays the log from position 0 into a fresh DuckDB file and an in-memory PGlite, and compares every
 * table with the live one by content hash. Each projection is replayed up to the live checkpoint read at
 * the start, so run it while no load is in flight: a live table that moves during the comparison is
 * reported as different. Marts whose debounced refresh is still owed are refreshed first: they are
 * compared at the star schema's checkpoint, not at the last refresh before it.
 */
export class RebuildVerifier implements RebuildVerification {
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly duckdb: DuckDbDatabase,
    private readonly sql: SqlClient,
    /** DuckDB configuration of the fresh instance (bounded memory). */
    private readonly duckdbConfig: Record<string, string> = {},
    /** The live marts' refresh schedule: a refresh still owed after the last batch runs before they are compared. */
    private readonly marts?: { settle(): Promise<unknown> },
  ) {}

  async run(options: RebuildRun = {}): Promise<RebuildReport | AsOfReport> {
    if (this.running) throw new RebuildInProgressError();
    this.running = true;
    const dir = await mkdtemp(join(tmpdir(), 'olist-dw-rebuild-'));
    const closers: Array<() => Promise<unknown> | void> = [() => rm(dir, { recursive: true, force: true })];
    try {
      if (options.to !== undefined) return await this.asOf(options.to, join(dir, 'as-of.duckdb'), closers);
      await this.marts?.settle();
      const liveDuckDb = await this.duckdb.connect();
      closers.unshift(() => liveDuckDb.close());
      const freshSql = await createPgliteClient();
      closers.unshift(() => freshSql.close());
      const freshDuckDb = await DuckDbDatabase.open(join(dir, 'rebuilt.duckdb'), { config: this.duckdbConfig });
      closers.unshift(() => freshDuckDb.close());
      return await rebuildAndCompare({
        store: this.store, liveDuckDb, freshDuckDb, liveSql: this.sql, freshSql, readModels: OPERATIONAL_READ_MODELS, ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } finally {
      for (const close of closers) await close();
      this.running = false;
    }
  }

  private async asOf(to: string, file: string, closers: Array<() => Promise<unknown> | void>): Promise<AsOfReport> {
    const started = performance.now();
    const position = await resolveLogPoint(this.store, { atPosition: to });
    const { database, events } = await buildStarSchemaAsOf(this.store, position, file, this.duckdbConfig);
    closers.unshift(() => database.close());
    const client = await database.connect();
    closers.unshift(() => client.close());
    const tables = [...STAR_SCHEMA_TABLES, ...MART_TABLES];
    const [counts, hashes] = [await tableCounts(client, tables), await contentHashes(client, tables)];
    return { kind: 'as-of', position, events, durationMs: Math.round(performance.now() - started), tables: tables.map((table) => ({ table, rows: counts[table]!, hash: hashes[table]! })) };
  }
}
