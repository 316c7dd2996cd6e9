import type { Checkpoint, EventStore } from '@olist/event-store';
import type { DuckDbClient, DuckDbDatabase } from '@olist/duckdb';
import { SqlReadModelProjection, tableContent, tablesInSchemas, type PostgresReadModels, type SqlClient, type TableContent } from '@olist/postgres';
import { MART_TABLES, MartRefresher, STAR_SCHEMA_PROJECTION, STAR_SCHEMA_TABLES, StarSchemaProjection, duckDbTableContent } from '@olist/analytics';
import { replayLog } from './replay.js';

export interface RebuildOptions {
  /** The event log the live read models were projected from. */
  readonly store: EventStore;
  /** A connection to the live DuckDB database (star schema + marts); read only. */
  readonly liveDuckDb: DuckDbClient;
  /** An empty DuckDB database the star schema and the marts are rebuilt in. */
  readonly freshDuckDb: DuckDbDatabase;
  /** The Postgres (or PGlite) database of the live read models; read only. */
  readonly liveSql: SqlClient;
  /** An empty Postgres (or PGlite) database the read models are rebuilt in. */
  readonly freshSql: SqlClient;
  readonly readModels: PostgresReadModels;
  /** Events per replayed batch (default: the projector's). */
  readonly batchSize?: number;
  /** Progress: which projection is being replayed and how many of its events are applied. */
  readonly onProgress?: (projection: string, events: number) => void;
}

export type ReadModelStore = 'duckdb' | 'postgres';

/** One table, live against rebuilt (undefined: the table does not exist on that side). */
export interface TableComparison {
  readonly table: string;
  readonly store: ReadModelStore;
  readonly live: TableContent | undefined;
  readonly rebuilt: TableContent | undefined;
  readonly equal: boolean;
}

/** One projection's replay: up to the live checkpoint, so both sides cover the same events. */
export interface ProjectionReplay {
  readonly projection: string;
  readonly store: ReadModelStore;
  readonly checkpoint: string | undefined;
  /** Events replayed (= events at or before the checkpoint). */
  readonly events: number;
  /** Events the live projection counts as applied: more or fewer than `events` means a batch applied twice or lost. */
  readonly liveEventsProjected: number;
  readonly durationMs: number;
}

export interface RebuildReport {
  /** Every table equal, and every live projection counted exactly the events replayed. */
  readonly equal: boolean;
  readonly projections: ReadonlyArray<ProjectionReplay>;
  readonly tables: ReadonlyArray<TableComparison>;
  /** Why a difference is expected or where to look (e.g. marts not refreshed since the last batch). */
  readonly notes: ReadonlyArray<string>;
  readonly durationMs: number;
}

const sameContent = (a: TableContent | undefined, b: TableContent | undefined): boolean =>
  a !== undefined && b !== undefined && a.rows === b.rows && a.hash === b.hash;

const compare = (table: string, store: ReadModelStore, live: TableContent | undefined, rebuilt: TableContent | undefined): TableComparison => ({
  table, store, live, rebuilt, equal: sameContent(live, rebuilt),
});

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

const liveStarSchemaState = async (client: DuckDbClient) => {
  const exists = await client.scalar<bigint>(`SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'projection_checkpoint'`);
  if (!exists) return { checkpoint: undefined, eventsProjected: 0, martsCheckpoint: undefined, martsRefreshed: false };
  const row = await client.queryOne<{ checkpoint: string | null; events_projected: bigint }>(
    `SELECT checkpoint, events_projected FROM core.projection_checkpoint WHERE projection = ${literal(STAR_SCHEMA_PROJECTION)}`,
  );
  const log = await client.scalar<bigint>(`SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'mart' AND table_name = 'refresh_log'`);
  const last = log
    ? await client.queryOne<{ checkpoint: string | null }>(
        `SELECT checkpoint FROM mart.refresh_log WHERE projection = ${literal(STAR_SCHEMA_PROJECTION)} ORDER BY refreshed_at DESC LIMIT 1`,
      )
    : undefined;
  return {
    checkpoint: (row?.checkpoint ?? undefined) as Checkpoint | undefined,
    eventsProjected: Number(row?.events_projected ?? 0n),
    martsCheckpoint: last?.checkpoint ?? undefined,
    martsRefreshed: last !== undefined,
  };
};

const liveReadModelState = async (client: SqlClient, name: string) => {
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('read_models.checkpoints') IS NOT NULL AS present`);
  if (!rows[0]?.present) return { checkpoint: undefined, eventsProjected: 0 };
  const { rows: [row] } = await client.query<{ checkpoint: string; events_projected: bigint }>(
    'SELECT checkpoint, events_projected FROM read_models.checkpoints WHERE projection = $1', [name]);
  return { checkpoint: row?.checkpoint as Checkpoint | undefined, eventsProjected: Number(row?.events_projected ?? 0n) };
};

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await fn();
  return [result, Math.round(performance.now() - started)];
};

interface SideResult {
  readonly projection: ProjectionReplay;
  readonly tables: ReadonlyArray<TableComparison>;
  readonly notes: ReadonlyArray<string>;
}

/** DuckDB: the star schema replayed up to the live checkpoint, then the marts (one refresh, as a stopping projector does). */
const rebuildDuckDb = async (options: RebuildOptions): Promise<SideResult> => {
  const live = await liveStarSchemaState(options.liveDuckDb);
  const freshClient = await options.freshDuckDb.connect();
  const starSchema = new StarSchemaProjection(options.freshDuckDb);
  const tables: TableComparison[] = [];
  const notes: string[] = [];
  try {
    const [replayed, durationMs] = await timed(async () => {
      const result = await replayLog(options.store, starSchema, {
        until: live.checkpoint,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onBatch: (events) => options.onProgress?.(STAR_SCHEMA_PROJECTION, events),
      });
      await new MartRefresher().refresh(freshClient);
      return result;
    });
    for (const table of [...STAR_SCHEMA_TABLES, ...MART_TABLES]) {
      tables.push(compare(table, 'duckdb', await duckDbTableContent(options.liveDuckDb, table), await duckDbTableContent(freshClient, table)));
    }
    if (!live.martsRefreshed) notes.push('the live marts were never refreshed (no row in mart.refresh_log)');
    else if (live.martsCheckpoint !== (live.checkpoint ?? undefined)) {
      notes.push(
        `the live marts were last refreshed at checkpoint ${live.martsCheckpoint ?? '(start)'}, the live star schema is at ${live.checkpoint ?? '(start)'}: ` +
          'the projector stopped before refreshing them (it refreshes them when it starts again)',
      );
    }
    return {
      projection: {
        projection: STAR_SCHEMA_PROJECTION, store: 'duckdb', checkpoint: live.checkpoint, events: replayed.events,
        liveEventsProjected: live.eventsProjected, durationMs,
      },
      tables,
      notes,
    };
  } finally {
    starSchema.close();
    freshClient.close();
  }
};

/** Postgres: the read-model migrations and handlers replayed up to the live checkpoint; every table of their schemas compared. */
const rebuildPostgres = async (options: RebuildOptions): Promise<SideResult> => {
  const { readModels } = options;
  const live = await liveReadModelState(options.liveSql, readModels.name);
  const [replayed, durationMs] = await timed(() =>
    replayLog(options.store, new SqlReadModelProjection(readModels.name, options.freshSql, readModels.handlers, readModels.migrate), {
      until: live.checkpoint,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      onBatch: (events) => options.onProgress?.(readModels.name, events),
    }),
  );
  const liveTables = new Set(await tablesInSchemas(options.liveSql, readModels.schemas));
  const freshTables = new Set(await tablesInSchemas(options.freshSql, readModels.schemas));
  const tables: TableComparison[] = [];
  for (const table of [...new Set([...liveTables, ...freshTables])].sort()) {
    tables.push(
      compare(
        table,
        'postgres',
        liveTables.has(table) ? await tableContent(options.liveSql, table) : undefined,
        freshTables.has(table) ? await tableContent(options.freshSql, table) : undefined,
      ),
    );
  }
  return {
    projection: {
      projection: readModels.name, store: 'postgres', checkpoint: live.checkpoint, events: replayed.events,
      liveEventsProjected: live.eventsProjected, durationMs,
    },
    tables,
    notes: [],
  };
};

/**
 * Rebuilds the read models from the event log into fresh databases and compares them with the live ones,
 * table by table, by row count and content hash (spec §8: a projection rebuilt from position 0 must equal
 * the live one).
 *
 * Each projection is replayed up to the checkpoint its live copy has reached, so a live projector that is
 * behind the log (or a log that grew since) still compares like with like. The DuckDB side (star schema,
 * then marts) and the Postgres side (read-model migrations and handlers) each read the log on their own.
 * The live databases are only read.
 */
export const rebuildAndCompare = async (options: RebuildOptions): Promise<RebuildReport> => {
  const started = performance.now();
  // One after the other: both sides are bound by this process's main thread (event decoding, PGlite), so
  // running them side by side gained ~5% for twice the memory.
  const sides = [await rebuildDuckDb(options), await rebuildPostgres(options)];
  const projections = sides.map((side) => side.projection);
  const tables = sides.flatMap((side) => side.tables);
  const notes = sides.flatMap((side) => side.notes);
  for (const p of projections) {
    if (p.liveEventsProjected !== p.events) {
      notes.push(`${p.projection}: the live projection counts ${p.liveEventsProjected} events applied, the log holds ${p.events} up to its checkpoint`);
    }
  }
  const equal = tables.every((t) => t.equal) && projections.every((p) => p.liveEventsProjected === p.events);
  return { equal, projections, tables, notes, durationMs: Math.round(performance.now() - started) };
};
