import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import type { Settings } from '@olist/config';
import { exportPgLog, importPgLog, migrateEventStore, type ArchivedEvent } from '@olist/event-store';
import { migrateReadModels } from '@olist/infrastructure';
import { migrateDataKeyStore } from '@olist/personal-data';
import { PgliteSqlClient, type SqlClient } from '@olist/postgres';

/**
 * The tables that are not derived from the event log (users, keys, the request audit trail, people's data keys):
 * a backup keeps their rows; everything else is rebuilt from the log. In the order they are restored (foreign keys).
 */
export const NON_DERIVED_TABLES = [
  'security_audit.users',
  'security_audit.api_keys',
  'security_audit.audit_log',
  'security_audit.master_key_check',
  'security_audit.data_keys',
] as const;

export const BACKUP_FORMAT = 'olist-dw-backup/1';
const EVENTS_FILE = 'events.ndjson.gz';
/** Events or rows read, written or inserted at once. */
const PAGE_SIZE = 5_000;
const TABLES_FILE = 'security_audit.ndjson.gz';

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly createdAt: string;
  readonly mode: Settings['mode'];
  /** Events in the log, in log order in events.ndjson.gz. */
  readonly events: number;
  /** Rows per non-derived table in security_audit.ndjson.gz. */
  readonly tables: Record<string, number>;
  /** Every file of the backup, with its size and SHA-256 (checked before a restore). */
  readonly files: Record<string, { readonly bytes: number; readonly sha256: string }>;
  /** The read-model database as it was: `pg_dump -Fc` (server mode) or a PGlite data-directory tarball (embedded). */
  readonly databaseDump: string;
}

export interface BackupProgress {
  readonly step: 'events' | 'tables' | 'dump' | 'checksums' | 'verify' | 'restore-events' | 'restore-tables';
  /** Events or rows so far (events), or of the step (the others). */
  readonly done: number;
  /** The events to go through (events, restore-events). */
  readonly total?: number;
}

const sha256Of = async (file: string): Promise<string> => {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
};

const gzipLines = (file: string) => {
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(file));
  return {
    write: (line: string): Promise<void> => (gzip.write(`${line}\n`) ? Promise.resolve() : new Promise((resolve) => gzip.once('drain', resolve))),
    end: async (): Promise<void> => {
      gzip.end();
      await written;
    },
  };
};

async function* gunzipLines(file: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) if (line !== '') yield line;
}

/** Pages of `size` items of an async sequence. */
async function* pagesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const item of items) {
    page.push(item);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Backs up, from one snapshot of the database, the event log (every event as stored, with its metadata, in log
 * order: events.ndjson.gz) and the tables that are not derived from it (security_audit.ndjson.gz), then dumps the
 * read-model database as it is (pg_dump, or PGlite's data directory), and writes manifest.json with every file's
 * SHA-256. The master key is NOT in it (it wraps the data keys that are): keep it apart (docs/operations.md).
 * Only the PostgreSQL event store is backed up here; EventStoreDB has its own backups.
 */
export const runBackup = async (
  settings: Settings,
  sql: SqlClient,
  out: string,
  onProgress: (progress: BackupProgress) => void = () => undefined,
  { pageSize = PAGE_SIZE }: { readonly pageSize?: number } = {},
): Promise<BackupManifest> => {
  if (settings.eventStore !== 'postgres') throw new Error('olist-dw backup keeps the PostgreSQL event store; back up EventStoreDB with its own tools');
  if (existsSync(out) && (await readdir(out)).length > 0) throw new Error(`${out} is not empty: back up into a new or empty directory`);
  await mkdir(out, { recursive: true });
  const events = gzipLines(join(out, EVENTS_FILE));
  const tables = gzipLines(join(out, TABLES_FILE));
  const counts: Record<string, number> = {};
  let eventCount = 0;
  let written = 0;
  try {
    await sql.transaction(async (tx) => {
      await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      // The audit trail's row-level security shows a reader only their own entries, unless admin.
      await tx.query(`SELECT set_config('olist_dw.role', 'admin', true)`);
      const { rows: [log] } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM event_store.events');
      eventCount = await exportPgLog(tx, async (page) => {
        for (const event of page) await events.write(JSON.stringify(event));
        written += page.length;
        onProgress({ step: 'events', done: written, total: log!.n });
      }, pageSize);
      for (const table of NON_DERIVED_TABLES) {
        // A cursor: the audit trail and the data keys grow with use and with the data; never all in memory at once.
        await tx.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT to_jsonb(t) AS row FROM ${table} AS t`);
        counts[table] = 0;
        for (;;) {
          const { rows } = await tx.query<{ row: Record<string, unknown> }>(`FETCH FORWARD ${pageSize} FROM backup_rows`);
          if (rows.length === 0) break;
          for (const { row } of rows) await tables.write(JSON.stringify({ table, row }));
          counts[table] += rows.length;
        }
        await tx.query('CLOSE backup_rows');
        onProgress({ step: 'tables', done: counts[table] });
      }
    });
  } finally {
    await events.end();
    await tables.end();
  }
  const databaseDump = await dumpDatabase(settings, sql, out);
  onProgress({ step: 'dump', done: 1 });
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const name of [EVENTS_FILE, TABLES_FILE, databaseDump]) files[name] = { bytes: (await stat(join(out, name))).size, sha256: await sha256Of(join(out, name)) };
  onProgress({ step: 'checksums', done: Object.keys(files).length });
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), mode: settings.mode, events: eventCount, tables: counts, files, databaseDump };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
};

/** The read-model database as it is, for inspection or forensics: `pg_dump -Fc` of the server, or PGlite's data directory. */
const dumpDatabase = async (settings: Settings, sql: SqlClient, out: string): Promise<string> => {
  if (sql instanceof PgliteSqlClient) {
    const name = 'database.pglite.tar.gz';
    const dump = await sql.db.dumpDataDir('gzip');
    await pipeline(Readable.fromWeb(dump.stream() as import('node:stream/web').ReadableStream), createWriteStream(join(out, name)));
    return name;
  }
  const name = 'database.pgdump';
  try {
    await promisify(execFile)('pg_dump', ['--format=custom', '--no-owner', `--file=${join(out, name)}`, `--dbname=${settings.databaseUrl!}`]);
  } catch (error) {
    // The message of a failed pg_dump may hold the connection string: never the password.
    throw new Error(`pg_dump failed: ${(error as { stderr?: string }).stderr?.replace(/postgres(ql)?:\/\/[^\s"]+/g, 'postgres://…') ?? 'not found (install the PostgreSQL client)'}`);
  }
  return name;
};

export const readManifest = async (dir: string): Promise<BackupManifest> => {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${dir} is not an olist-dw backup: no manifest.json`);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new Error(`${dir}: unknown backup format ${JSON.stringify(manifest.format)} (this version reads ${BACKUP_FORMAT})`);
  return manifest;
};

/**
 * Restores a backup into EMPTY stores (a new PGlite directory, or a new database; no DuckDB file): checks every
 * file's SHA-256, creates the schemas, imports the event log in its order and the non-derived tables. The read
 * models are left empty: the projector builds them from the log at its next start (a rebuild), so that they
 * equal the source's. The same master key must be given to the restored system (OLIST_DW_MASTER_KEY or its file).
 */
export const runRestore = async (
  settings: Settings,
  sql: SqlClient,
  dir: string,
  onProgress: (progress: BackupProgress) => void = () => undefined,
  { pageSize = PAGE_SIZE }: { readonly pageSize?: number } = {},
): Promise<{ readonly events: number; readonly tables: Record<string, number> }> => {
  if (settings.eventStore !== 'postgres') throw new Error('olist-dw restore writes the PostgreSQL event store');
  const manifest = await readManifest(dir);
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await sha256Of(join(dir, name));
    if (actual !== expected.sha256) throw new Error(`${name} is damaged: its SHA-256 is ${actual}, the manifest says ${expected.sha256}`);
  }
  onProgress({ step: 'verify', done: Object.keys(manifest.files).length });
  if (existsSync(settings.duckdbPath)) throw new Error(`DUCKDB_PATH=${settings.duckdbPath} exists: restore into empty stores (the projector builds the star schema from the restored log)`);
  await migrateEventStore(sql);
  await migrateReadModels(sql);
  await migrateDataKeyStore(sql);
  for (const table of ['security_audit.users', 'security_audit.data_keys', 'etl_orchestration.pipeline_runs']) {
    const { rows } = await sql.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
    if (rows[0]!.any) throw new Error(`${table} is not empty: restore into empty stores (a new PGlite directory or a new database, never started)`);
  }
  const archived = (async function* () {
    for await (const line of gunzipLines(join(dir, EVENTS_FILE))) yield JSON.parse(line) as ArchivedEvent;
  })();
  let events = 0;
  const paged = (async function* () {
    for await (const page of pagesOf(archived, pageSize)) {
      yield page;
      events += page.length;
      onProgress({ step: 'restore-events', done: events, total: manifest.events });
    }
  })();
  const imported = await importPgLog(sql, paged);
  if (imported !== manifest.events) throw new Error(`the backup's log holds ${imported} events, its manifest says ${manifest.events}`);
  const tables: Record<string, number> = {};
  await sql.transaction(async (tx) => {
    // The backup lists the tables in NON_DERIVED_TABLES' order (foreign keys first), each table's rows together.
    let pending: { table: string; rows: unknown[] } | undefined;
    const insert = async (): Promise<void> => {
      if (!pending || pending.rows.length === 0) return;
      const identity = pending.table === 'security_audit.audit_log' ? ' OVERRIDING SYSTEM VALUE' : '';
      await tx.query(`INSERT INTO ${pending.table}${identity} SELECT * FROM jsonb_populate_recordset(NULL::${pending.table}, $1::jsonb)`, [JSON.stringify(pending.rows)]);
      tables[pending.table] = (tables[pending.table] ?? 0) + pending.rows.length;
      onProgress({ step: 'restore-tables', done: tables[pending.table]! });
      pending.rows = [];
    };
    for await (const line of gunzipLines(join(dir, TABLES_FILE))) {
      const { table, row } = JSON.parse(line) as { table: string; row: unknown };
      if (!(NON_DERIVED_TABLES as readonly string[]).includes(table)) throw new Error(`${TABLES_FILE}: unexpected table ${table}`);
      if (pending?.table !== table) {
        await insert();
        pending = { table, rows: [] };
      }
      pending.rows.push(row);
      if (pending.rows.length >= pageSize) await insert();
    }
    await insert();
    for (const table of NON_DERIVED_TABLES) tables[table] ??= 0;
    await tx.query(`SELECT setval(pg_get_serial_sequence('security_audit.audit_log', 'entry_id'), coalesce(max(entry_id), 0) + 1, false) FROM security_audit.audit_log`);
  });
  for (const [table, n] of Object.entries(manifest.tables)) {
    if (tables[table] !== n) throw new Error(`the backup holds ${tables[table] ?? 0} rows of ${table}, its manifest says ${n}`);
  }
  return { events: imported, tables };
};
