/**
 * `npm run rebuild -- --to <position> [--out FILE]`: the star schema and marts as they were when the log ended at
 * that position (e.g. a run's endedAtPosition), replayed into a new DuckDB file that analysts can open; no comparison.
 *
 * `npm run rebuild [-- --json] [-- --out FILE]`: replays the event log from position 0 into fresh read
 * models — a new DuckDB file for the star schema and the marts, an in-memory PGlite for the Postgres read
 * models — and compares them with the live ones, table by table, by row count and content hash.
 * Exit code 0: all equal; 1: some table differs; 2: the rebuild could not run (e.g. the live DuckDB file is
 * held by a running projector).
 *
 * Settings come from the environment, as for the API and the projector: DATABASE_URL (server mode) or
 * PGLITE_DIR (embedded), DUCKDB_PATH, EVENT_STORE/EVENTSTORE_URL.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { buildStarSchemaAsOf, OPERATIONAL_READ_MODELS, rebuildAndCompare, resolveLogPoint, type RebuildReport } from '@olist/projector';
import { STAR_SCHEMA_TABLES, MART_TABLES, tableCounts } from '@olist/analytics';
import { isCheckpoint } from '@olist/event-store';
import { duckdbOwnerConfig, loadSettings, type Settings } from '@olist/config';
import { DuckDbDatabase } from '@olist/duckdb';
import { openEventStore } from '@olist/infrastructure';
import { createPgClient, createPgliteClient, type SqlClient } from '@olist/postgres';

/** The rebuild cannot run as configured (exit code 2); the message says what to do. */
export class RebuildUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildUnavailableError';
  }
}

const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : String(error);

/** Opens the live DuckDB file read-only; a file held by a running process is reported as such. */
export const openLiveDuckDb = async (settings: Settings): Promise<DuckDbDatabase> => {
  const path = settings.duckdbPath;
  if (!existsSync(path)) throw new RebuildUnavailableError(`no DuckDB database at DUCKDB_PATH=${path}: nothing to compare (run the projector first)`);
  try {
    return await DuckDbDatabase.open(path, { config: { access_mode: 'READ_ONLY' } });
  } catch (error) {
    const message = messageOf(error);
    const lock = /Could not set lock on file[\s\S]*?\(PID (\d+)\)/.exec(message);
    if (lock || /lock/i.test(message)) {
      const holder = lock ? ` by process ${lock[1]}` : '';
      const who = settings.mode === 'embedded' ? 'the API (its in-process projector owns the file, and PGlite has a single owner too)' : 'the projector';
      throw new RebuildUnavailableError(
        `the live DuckDB file ${path} is held${holder}: stop ${who} before running the rebuild. ` +
          'A DuckDB file has a single read-write owner; the rebuild must read a stable copy.',
      );
    }
    throw error;
  }
};

const openLiveSql = async (settings: Settings): Promise<SqlClient> => {
  if (settings.databaseUrl) return createPgClient(settings.databaseUrl, { max: 4, applicationName: 'olist-dw-rebuild' });
  if (!existsSync(join(settings.pgliteDir, 'PG_VERSION'))) {
    throw new RebuildUnavailableError(`no embedded database at PGLITE_DIR=${settings.pgliteDir} (set DATABASE_URL for server mode)`);
  }
  return createPgliteClient(settings.pgliteDir);
};

export interface RunRebuildOptions {
  /** Where to write the rebuilt DuckDB database (must not exist; kept). Default: a temp file, removed. */
  readonly out?: string;
  readonly batchSize?: number;
  readonly onProgress?: (projection: string, events: number) => void;
}

/** Rebuilds from the log and compares with the live read models named by `settings`. */
export const runRebuild = async (settings: Settings, options: RunRebuildOptions = {}): Promise<RebuildReport> => {
  const liveDb = await openLiveDuckDb(settings); // first: the lock tells whether the API/projector still runs
  const closers: Array<() => Promise<unknown> | void> = [() => liveDb.close()];
  const temp = options.out ? undefined : await mkdtemp(join(tmpdir(), 'olist-dw-rebuild-'));
  if (temp) closers.push(() => rm(temp, { recursive: true, force: true }));
  try {
    const out = options.out ? resolve(options.out) : join(temp!, 'rebuilt.duckdb');
    if (options.out && existsSync(out)) throw new RebuildUnavailableError(`--out ${out} exists: the rebuild needs a fresh file`);
    const liveDuckDb = await liveDb.connect();
    closers.unshift(() => liveDuckDb.close());
    const liveSql = await openLiveSql(settings);
    closers.unshift(() => liveSql.close());
    const store = await openEventStore(settings, liveSql, { migrate: false });
    closers.unshift(() => store.close());
    const freshSql = await createPgliteClient();
    closers.unshift(() => freshSql.close());
    const freshDuckDb = await DuckDbDatabase.open(out, { config: duckdbOwnerConfig(settings) });
    closers.unshift(() => freshDuckDb.close());
    return await rebuildAndCompare({
      store, liveDuckDb, freshDuckDb, liveSql, freshSql, readModels: OPERATIONAL_READ_MODELS,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    // Newest first: the event store before the SQL client it reads through, connections before their database.
    for (const close of closers) await close();
  }
};

/** `--to`: the star schema and marts as of a position, into `out` (a new file, kept). */
export const rebuildAsOf = async (settings: Settings, to: string, out: string): Promise<{ position: string; events: number; counts: Record<string, number> }> => {
  if (!isCheckpoint(to)) throw new RebuildUnavailableError(`--to ${to}: not a log position (20 digits, a colon, 20 digits; e.g. a run's endedAtPosition)`);
  if (existsSync(out)) throw new RebuildUnavailableError(`--out ${out} exists: the rebuild needs a fresh file`);
  const sql = await openLiveSql(settings);
  const store = await openEventStore(settings, sql, { migrate: false });
  try {
    const position = await resolveLogPoint(store, { atPosition: to });
    const { database, events } = await buildStarSchemaAsOf(store, position, out, duckdbOwnerConfig(settings));
    try {
      const client = await database.connect();
      try {
        return { position, events, counts: await tableCounts(client, [...STAR_SCHEMA_TABLES, ...MART_TABLES]) };
      } finally {
        client.close();
      }
    } finally {
      database.close();
    }
  } finally {
    await store.close();
    await sql.close();
  }
};

const pad = (cells: string[], widths: number[], right: ReadonlyArray<boolean>): string =>
  cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();

/** The report as a text table: table, store, live rows, rebuilt rows, hash equal. */
export const renderReport = (report: RebuildReport): string => {
  const head = ['table', 'store', 'live rows', 'rebuilt rows', 'hash equal'];
  const rows = report.tables.map((t) => [
    t.table, t.store, t.live ? String(t.live.rows) : 'missing', t.rebuilt ? String(t.rebuilt.rows) : 'missing', t.equal ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = [false, false, true, true, false];
  const lines = [
    ...report.projections.map(
      (p) => `${p.projection} (${p.store}): replayed ${p.events} events up to the live checkpoint ${p.checkpoint ?? '(start)'} in ${p.durationMs} ms; ` +
        `the live projection counts ${p.liveEventsProjected}${p.liveEventsProjected === p.events ? '' : '  <-- differs'}`,
    ),
    '',
    pad(head, widths, right),
    pad(widths.map((w) => '-'.repeat(w)), widths, right),
    ...rows.map((r) => pad(r, widths, right)),
    '',
    ...report.notes.map((n) => `note: ${n}`),
    `${report.equal ? 'EQUAL' : 'DIFFERENT'}: ${report.tables.filter((t) => !t.equal).length} of ${report.tables.length} tables differ (${report.durationMs} ms)`,
  ];
  return lines.join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const program = new Command('rebuild')
    .description('Replay the event log from position 0 into fresh read models and compare them with the live ones (content hash per table)')
    .option('--json', 'machine-readable report on stdout')
    .option('--out <file>', 'write the rebuilt DuckDB database here and keep it (default: a temp file, removed; with --to: var/as-of-<position>.duckdb)')
    .option('--to <position>', 'rebuild the star schema and marts as of this log position instead (no comparison)')
    .exitOverride(); // a usage error exits 2, not 1 (1 means: some table differs)
  try {
    program.parse();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode ?? 2;
    process.exit(code === 0 ? 0 : 2);
  }
  const opts = program.opts<{ json?: boolean; out?: string; to?: string }>();
  try {
    const settings = loadSettings();
    if (opts.to) {
      const out = resolve(opts.out ?? `var/as-of-${opts.to.replace(':', '-')}.duckdb`);
      const result = await rebuildAsOf(settings, opts.to, out);
      const text = `the star schema and marts as of ${result.position} (${result.events} events replayed) are in ${out}:\n` +
        Object.entries(result.counts).map(([t, n]) => `  ${t.padEnd(30)} ${String(n).padStart(8)}`).join('\n');
      process.stdout.write(`${opts.json ? JSON.stringify({ ...result, out }, null, 2) : text}\n`);
      process.exit(0);
    }
    if (!opts.json) process.stderr.write(`rebuilding from the event log (${settings.mode} mode, DuckDB ${settings.duckdbPath})\n`);
    const report = await runRebuild(settings, { ...(opts.out ? { out: opts.out } : {}) });
    process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : renderReport(report)}\n`);
    process.exitCode = report.equal ? 0 : 1;
  } catch (error) {
    const message = messageOf(error);
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`rebuild: ${message}\n`);
    process.exitCode = 2;
  }
}
