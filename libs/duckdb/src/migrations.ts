import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timestampValue } from '@duckdb/node-api';
import type { DuckDbClient } from './database.js';

/** A versioned DDL file: `V<version>__<name>.sql`, e.g. `V001__core_star_schema.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  /** SHA-256 (hex) of the file's text with line endings normalised to LF. */
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
}

export interface MigrateResult {
  /** The migrations this call applied, in order. */
  readonly applied: ReadonlyArray<Migration>;
  /** Highest applied version after the call (undefined when there is none). */
  readonly version: number | undefined;
}

/** An applied migration's file changed, disappeared, or is not in order: refuse to start. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_NAME = /^V(\d+)__([A-Za-z0-9_]+)\.sql$/;

export const migrationChecksum = (sql: string): string =>
  createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');

/** Reads `V<n>__<name>.sql` files of a directory, sorted by version. Other files are ignored. */
export const loadMigrations = (dir: string): Migration[] => {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: Number(match[1]), name: match[2]!, file, sql, checksum: migrationChecksum(sql) };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new MigrationError(`two migrations with version ${migrations[i]!.version}: ${migrations[i - 1]!.file}, ${migrations[i]!.file}`);
    }
  }
  return migrations;
};

/**
 * Finds `relativeDir` (default `projections/duckdb`) in the nearest ancestor directory of `fromUrl`
 * (a module's `import.meta.url`), so the same code finds the SQL from `libs/…/src` and from `dist/…`.
 */
export const findUpwards = (fromUrl: string, relativeDir = 'projections/duckdb'): string => {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, relativeDir);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${relativeDir} directory above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
};

const ensureMetaTable = async (client: DuckDbClient): Promise<void> => {
  await client.run(`
    CREATE SCHEMA IF NOT EXISTS meta;
    CREATE TABLE IF NOT EXISTS meta.schema_migrations (
      version     INTEGER PRIMARY KEY,
      name        VARCHAR NOT NULL,
      checksum    VARCHAR NOT NULL,
      applied_at  TIMESTAMP NOT NULL
    );`);
};

export const appliedMigrations = async (client: DuckDbClient): Promise<AppliedMigration[]> => {
  await ensureMetaTable(client);
  const rows = await client.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    'SELECT version, name, checksum, applied_at FROM meta.schema_migrations ORDER BY version',
  );
  return rows.map((r) => ({ version: r.version, name: r.name, checksum: r.checksum, appliedAt: r.applied_at }));
};

/**
 * Applies the pending migrations of `source` (a directory or a list) in version order, each in its own
 * transaction together with its row in `meta.schema_migrations(version, name, checksum, applied_at)`.
 * Throws {@link MigrationError} (and applies nothing) when an applied migration's checksum changed or
 * its file is gone, or when a pending migration's version is lower than the highest applied one.
 */
export const migrate = async (client: DuckDbClient, source: string | ReadonlyArray<Migration>): Promise<MigrateResult> => {
  const migrations = typeof source === 'string' ? loadMigrations(resolve(source)) : [...source].sort((a, b) => a.version - b.version);
  const applied = await appliedMigrations(client);
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const done of applied) {
    const file = byVersion.get(done.version);
    if (!file) {
      throw new MigrationError(`applied migration V${done.version} (${done.name}) has no file any more`);
    }
    if (file.checksum !== done.checksum) {
      throw new MigrationError(
        `migration ${file.file} changed after it was applied (checksum ${done.checksum} recorded, ${file.checksum} now): ` +
          'add a new migration instead of editing an applied one',
      );
    }
  }
  const highest = applied.at(-1)?.version;
  const appliedVersions = new Set(applied.map((a) => a.version));
  const pending = migrations.filter((m) => !appliedVersions.has(m.version));
  const outOfOrder = pending.find((m) => highest !== undefined && m.version < highest);
  if (outOfOrder) {
    throw new MigrationError(`migration ${outOfOrder.file} is older than the applied V${highest}: renumber it`);
  }
  for (const migration of pending) {
    await client.transaction(async (tx) => {
      await tx.run(migration.sql);
      await tx.run('INSERT INTO meta.schema_migrations VALUES ($version, $name, $checksum, $appliedAt)', {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        appliedAt: timestampValue(BigInt(Date.now()) * 1000n),
      });
    });
  }
  return { applied: pending, version: pending.at(-1)?.version ?? highest };
};
