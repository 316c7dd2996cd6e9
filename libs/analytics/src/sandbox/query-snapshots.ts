import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDbClient, DuckDbDatabase } from '@olist/duckdb';
import { STAR_SCHEMA_PROJECTION } from '../star-schema/star-schema-projection.js';
import { QueryUnavailableError, type QuerySnapshot } from './query-runner.js';
import { messageOf } from './select-statement.js';
import { openSandbox, type SandboxLimits } from './sandbox-instance.js';

/** The schemas analysts read: the star schema and the marts (not `core_state` nor `meta`). */
export const SNAPSHOT_SCHEMAS = ['core', 'mart'] as const;

const FILE_PREFIX = 'snapshot-';

export interface QuerySnapshotsOptions {
  /** The directory of the snapshot files (created if needed; stale `snapshot-*` files in it are removed). */
  readonly dir: string;
  readonly limits: SandboxLimits;
  /** A new snapshot is ready (it answers from now on). */
  readonly onSnapshot?: (snapshot: QuerySnapshot) => void;
  /** A snapshot could not be made (the previous one keeps answering) or its files removed. */
  readonly onError?: (error: Error) => void;
}

/** A snapshot that a query runs on until it calls `release()`. */
export interface SnapshotLease {
  /** The sandbox instance on the snapshot file. */
  readonly db: DuckDbDatabase;
  /** The snapshot file (a DuckDB database of `core` and `mart`, checkpointed: not written while leased). */
  readonly file: string;
  readonly snapshot: QuerySnapshot;
  release(): void;
}

interface Snapshot {
  readonly db: DuckDbDatabase;
  readonly file: string;
  /** What the live schemas were at when copied ({@link LiveVersion.key}). */
  readonly version: string;
  readonly info: QuerySnapshot;
  leases: number;
  retired: boolean;
  disposed: boolean;
}

/** Where the live star schema and marts are: the projection checkpoints and the mart refresh log. */
interface LiveVersion {
  readonly key: string;
  readonly checkpoint: string | null;
  readonly eventsProjected: number | null;
  readonly martRefresh: QuerySnapshot['martRefresh'];
}

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `fn`'s rows, or undefined when its table does not exist yet (no projector batch, no mart refresh). */
const unlessMissing = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await fn();
  } catch (error) {
    if (/does not exist/i.test(messageOf(error))) return undefined;
    throw error;
  }
};

const readVersion = async (client: DuckDbClient): Promise<LiveVersion> => {
  const checkpoints =
    (await unlessMissing(() =>
      client.query<{ projection: string; checkpoint: string | null; events_projected: bigint }>(
        'SELECT projection, checkpoint, events_projected FROM core.projection_checkpoint ORDER BY projection',
      ),
    )) ?? [];
  const refresh = await unlessMissing(() =>
    client.queryOne<{ sequence: bigint; refreshed_at: Date | null }>('SELECT count(*) AS sequence, max(refreshed_at) AS refreshed_at FROM mart.refresh_log'),
  );
  const star = checkpoints.find((c) => c.projection === STAR_SCHEMA_PROJECTION);
  const martRefresh = refresh?.refreshed_at ? { sequence: Number(refresh.sequence), refreshedAt: refresh.refreshed_at.toISOString() } : null;
  return {
    key: JSON.stringify([checkpoints.map((c) => [c.projection, c.checkpoint, String(c.events_projected)]), martRefresh]),
    checkpoint: star?.checkpoint ?? null,
    eventsProjected: star ? Number(star.events_projected) : null,
    martRefresh,
  };
};

/** Removes a snapshot file and what DuckDB may have left beside it. */
const removeFiles = (file: string): Promise<unknown> =>
  Promise.all([file, `${file}.wal`, `${file}.tmp`].map((path) => rm(path, { recursive: true, force: true })));

/**
 * The read-only snapshot files analysts' SQL runs on (docs/ad-hoc-sql.md), made by the process that owns the
 * live DuckDB file, on its instance:
 * - lazily: a query takes the current snapshot if the live schemas have not moved since it was copied (the
 *   star schema's checkpoints and the mart refresh log tell), else a new one is copied first;
 * - consistently: `core` and `mart` are copied table by table (with their comments) into a new file,
 *   ATTACHed, in ONE transaction, so every table is of the same point in time (the version read with them);
 * - one copy at a time: queries that need a new snapshot while one is being copied wait for that one;
 * - swapped atomically: the new snapshot answers once it is open as a sandbox; the old one is closed and its
 *   file removed when the last query on it ends.
 * If a copy fails, the previous snapshot keeps answering (QUERY.UNAVAILABLE when there is none).
 */
export class QuerySnapshots {
  private current: Snapshot | undefined;
  private building: Promise<Snapshot> | undefined;
  private ready: Promise<void> | undefined;
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly owner: Pick<DuckDbDatabase, 'connect'>,
    private readonly options: QuerySnapshotsOptions,
  ) {}

  /** A snapshot as fresh as the live schemas, for one query: call `release()` when it ends. */
  async lease(): Promise<SnapshotLease> {
    if (this.closed) throw new QueryUnavailableError('the query runner is closing');
    let version: string;
    try {
      version = await this.liveVersion();
    } catch (error) {
      throw new QueryUnavailableError(`the live star schema cannot be read: ${messageOf(error)}`);
    }
    let snapshot = this.current;
    if (!snapshot || snapshot.version !== version) {
      try {
        snapshot = await this.build();
      } catch (error) {
        if (!this.current || this.closed) {
          throw new QueryUnavailableError(`no snapshot of the star schema and marts could be made: ${messageOf(error)}`);
        }
        this.options.onError?.(new Error(`a new query snapshot could not be made; the previous one answers: ${messageOf(error)}`, { cause: error }));
        snapshot = this.current;
      }
    }
    const leased = snapshot;
    leased.leases++;
    let released = false;
    return {
      db: leased.db,
      file: leased.file,
      snapshot: leased.info,
      release: () => {
        if (released) return;
        released = true;
        leased.leases--;
        this.dispose(leased);
      },
    };
  }

  /** Retires the current snapshot (removed once its last query ends): the next query gets a new copy. */
  retire(): void {
    const current = this.current;
    this.current = undefined;
    if (current) {
      current.retired = true;
      this.dispose(current);
    }
  }

  /** Stops making snapshots; each is closed and removed once its last query ends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.building?.catch(() => undefined);
    this.retire();
  }

  private async liveVersion(): Promise<string> {
    const client = await this.owner.connect();
    try {
      return (await readVersion(client)).key;
    } finally {
      client.close();
    }
  }

  private build(): Promise<Snapshot> {
    this.building ??= this.copy()
      .then((snapshot) => {
        if (this.closed) {
          snapshot.retired = true;
          this.dispose(snapshot);
          throw new QueryUnavailableError('the query runner is closing');
        }
        const previous = this.current;
        this.current = snapshot;
        if (previous) {
          previous.retired = true;
          this.dispose(previous);
        }
        this.options.onSnapshot?.(snapshot.info);
        return snapshot;
      })
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }

  /** Copies `core` and `mart` into a new file in one transaction, then opens it as a sandbox. */
  private async copy(): Promise<Snapshot> {
    await (this.ready ??= this.prepareDir().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    }));
    const n = ++this.sequence;
    const file = join(this.options.dir, `${FILE_PREFIX}${process.pid}-${Date.now()}-${n}.duckdb`);
    const alias = `query_snapshot_${n}`;
    const started = performance.now();
    try {
      const client = await this.owner.connect();
      let version: LiveVersion;
      try {
        await client.run(`ATTACH ${literal(file)} AS ${alias}`);
        try {
          version = await client.transaction((tx) => this.copyInto(tx, alias));
          await client.run(`CHECKPOINT ${alias}`);
        } finally {
          await client.run(`DETACH ${alias}`).catch(() => undefined);
        }
      } finally {
        client.close();
      }
      const info: QuerySnapshot = {
        takenAt: new Date().toISOString(),
        checkpoint: version.checkpoint,
        eventsProjected: version.eventsProjected,
        martRefresh: version.martRefresh,
        copyMs: Math.round(performance.now() - started),
      };
      const db = await openSandbox(file, this.options.limits);
      return { db, file, version: version.key, info, leases: 0, retired: false, disposed: false };
    } catch (error) {
      await removeFiles(file);
      throw error;
    }
  }

  private async copyInto(tx: DuckDbClient, alias: string): Promise<LiveVersion> {
    const version = await readVersion(tx);
    const schemas = SNAPSHOT_SCHEMAS.map(literal).join(', ');
    const tables = await tx.query<{ database_name: string; schema_name: string; table_name: string; comment: string | null }>(
      `SELECT database_name, schema_name, table_name, comment FROM duckdb_tables()
       WHERE database_name = current_database() AND schema_name IN (${schemas}) AND NOT temporary ORDER BY schema_name, table_name`,
    );
    const columnComments = await tx.query<{ schema_name: string; table_name: string; column_name: string; comment: string }>(
      `SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name IN (${schemas}) AND comment IS NOT NULL AND comment <> ''`,
    );
    for (const schema of SNAPSHOT_SCHEMAS) await tx.run(`CREATE SCHEMA ${alias}.${quoted(schema)}`);
    for (const t of tables) {
      const target = `${alias}.${quoted(t.schema_name)}.${quoted(t.table_name)}`;
      await tx.run(`CREATE TABLE ${target} AS SELECT * FROM ${quoted(t.database_name)}.${quoted(t.schema_name)}.${quoted(t.table_name)}`);
      if (t.comment) await tx.run(`COMMENT ON TABLE ${target} IS ${literal(t.comment)}`);
    }
    for (const c of columnComments) {
      await tx.run(`COMMENT ON COLUMN ${alias}.${quoted(c.schema_name)}.${quoted(c.table_name)}.${quoted(c.column_name)} IS ${literal(c.comment)}`);
    }
    return version;
  }

  /** Creates the directory and removes the snapshot files a previous process left (one owner per directory). */
  private async prepareDir(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const stale = (await readdir(this.options.dir)).filter((name) => name.startsWith(FILE_PREFIX));
    await Promise.all(stale.map((name) => rm(join(this.options.dir, name), { recursive: true, force: true })));
  }

  private dispose(snapshot: Snapshot): void {
    if (!snapshot.retired || snapshot.leases > 0 || snapshot.disposed) return;
    snapshot.disposed = true;
    try {
      snapshot.db.close();
    } catch (error) {
      this.options.onError?.(new Error(`closing the query snapshot ${snapshot.file} failed: ${messageOf(error)}`, { cause: error }));
    }
    removeFiles(snapshot.file).catch((error: unknown) =>
      this.options.onError?.(new Error(`removing the query snapshot ${snapshot.file} failed: ${messageOf(error)}`, { cause: error })),
    );
  }
}
