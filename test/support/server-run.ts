import { join } from 'node:path';
import pg from 'pg';
import { MART_TABLES, STAR_SCHEMA_TABLES, duckDbTableContent } from '@olist/analytics';
import { DuckDbDatabase, type DuckDbClient } from '@olist/duckdb';
import { MIGRATIONS_DIR } from '@olist/infrastructure';
import { createPgClient, migrateDown, tableContent, tablesInSchemas, type SqlClient, type TableContent, type TestDatabase } from '@olist/postgres';
import { ChildApp, PROJECTOR_MAIN, sleep } from './child-apps.js';

/** Helpers of the server-mode tests that put a projector process through faults and compare with a clean run. */

const READ_MODEL_SCHEMAS = ['etl_orchestration', 'data_quality'];

/** What the projector process logs (LOG_LEVEL=debug) once it follows the log, and after each star-schema batch. */
export const READY = /^operational_read_models: following the log/;
export const APPLIED = /^applied (\d+) events \(total (\d+)\)$/;

/** The star schema's events applied, as the projector last logged it. */
export const starTotal = (app: ChildApp): number => Math.max(0, ...app.lines.map((l) => Number(APPLIED.exec(l.msg)?.[2] ?? 0)));

export const query = async <T extends object>(url: string, sql: string): Promise<T[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
};

export const eventCount = async (url: string): Promise<number> =>
  Number((await query<{ n: string }>(url, 'SELECT count(*) AS n FROM event_store.events'))[0]!.n);

export const readModelsProjected = async (url: string): Promise<number> => {
  const rows = await query<{ n: string }>(url, `SELECT events_projected AS n FROM read_models.checkpoints WHERE projection = 'operational_read_models'`).catch(() => []);
  return Number(rows[0]?.n ?? 0);
};

/** The loaded pipeline runs whose quality outcome is recorded (COMPLETED or FAILED). */
export const runsEnded = async (url: string): Promise<number> =>
  Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM etl_orchestration.pipeline_runs WHERE status IN ('COMPLETED', 'FAILED')`))[0]!.n);

/** Polls `condition` every 100 ms; `what` (or, to say what was seen meanwhile, a function giving it) names it in the timeout's error. */
export const until = async (what: string | (() => string), condition: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(100);
  }
};

const stringify = (rows: unknown[]): string => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** A copy of `template` (no session may be connected to it), dropped with `drop()`. */
export const copyDatabase = async (template: TestDatabase, suffix: string): Promise<TestDatabase> => {
  const name = `${template.name}_${suffix}`;
  const at = (database: string) => Object.assign(new URL(template.url), { pathname: `/${database}` }).toString();
  await query(at('postgres'), `CREATE DATABASE ${name} TEMPLATE ${template.name}`);
  return { name, url: at(name), drop: () => query(at('postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined) };
};

export interface CleanRun {
  readonly db: TestDatabase;
  readonly duckdbPath: string;
  readonly projector: ChildApp;
}

/**
 * A clean run over `source`'s event log (no session may be connected to it): a copy of its database whose read-model
 * tables are dropped (the event log stays), and one projector, started with `env`, on `clean.duckdb` in `dir`. The
 * caller stops the projector and drops the database; {@link cleanRunCaughtUp} waits for it.
 */
export const startCleanRun = async (source: TestDatabase, env: NodeJS.ProcessEnv, dir: string): Promise<CleanRun> => {
  const db = await copyDatabase(source, 'clean');
  const migrations = createPgClient(db.url, { max: 1 });
  try {
    await migrateDown(migrations, MIGRATIONS_DIR);
  } catch (error) {
    await db.drop();
    throw error;
  } finally {
    await migrations.close();
  }
  const duckdbPath = join(dir, 'clean.duckdb');
  return { db, duckdbPath, projector: new ChildApp(PROJECTOR_MAIN, { ...env, DATABASE_URL: db.url, DUCKDB_PATH: duckdbPath, PROJECTOR_PORT: '0' }, join(dir, 'clean-projector.log')) };
};

/** Resolves once the clean run's projector has applied the log's `total` events to the star schema and the read models. */
export const cleanRunCaughtUp = async ({ db, projector }: CleanRun, total: number): Promise<void> => {
  await projector.waitForLine(READY, 120_000);
  await until('the clean run to catch up', async () => starTotal(projector) >= total && (await readModelsProjected(db.url)) >= total);
};

/** Every compared table of one run: DuckDB star schema + marts, Postgres read models, and both checkpoint rows. */
export const runContent = async (dbUrl: string, duckdbPath: string): Promise<Record<string, TableContent | undefined>> => {
  const out: Record<string, TableContent | undefined> = {};
  const db = await DuckDbDatabase.open(duckdbPath, { config: { access_mode: 'READ_ONLY' } });
  const duck: DuckDbClient = await db.connect();
  try {
    for (const table of [...STAR_SCHEMA_TABLES, ...MART_TABLES]) out[table] = await duckDbTableContent(duck, table);
    // The bookkeeping of exactly-once: same checkpoint, and as many events counted as the log holds.
    const checkpoints = await duck.query('SELECT projection, checkpoint, events_projected FROM core.projection_checkpoint ORDER BY projection');
    out['core.projection_checkpoint (checkpoint, events_projected)'] = { rows: checkpoints.length, hash: stringify(checkpoints) };
  } finally {
    duck.close();
    db.close();
  }
  const sql: SqlClient = createPgClient(dbUrl, { max: 2 });
  try {
    for (const table of await tablesInSchemas(sql, READ_MODEL_SCHEMAS)) out[table] = await tableContent(sql, table);
    const { rows } = await sql.query('SELECT projection, checkpoint, events_projected FROM read_models.checkpoints ORDER BY projection');
    out['read_models.checkpoints (checkpoint, events_projected)'] = { rows: rows.length, hash: stringify(rows) };
  } finally {
    await sql.close();
  }
  return out;
};

/** The tables whose row count or content hash differ between two {@link runContent}s (and any table only one has). */
export const contentDifferences = (actual: Record<string, TableContent | undefined>, reference: Record<string, TableContent | undefined>) =>
  [...new Set([...Object.keys(reference), ...Object.keys(actual)])]
    .filter((t) => actual[t]?.hash !== reference[t]?.hash || actual[t]?.rows !== reference[t]?.rows)
    .map((t) => ({ table: t, rows: actual[t]?.rows, cleanRows: reference[t]?.rows, hash: actual[t]?.hash, cleanHash: reference[t]?.hash }));
