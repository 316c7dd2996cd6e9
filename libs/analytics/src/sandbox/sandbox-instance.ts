import { DuckDbDatabase } from '@olist/duckdb';

/** The resources one sandbox instance may use. */
export interface SandboxLimits {
  /** DuckDB `memory_limit`, e.g. `1GB`. */
  readonly memoryLimit: string;
  /** DuckDB `threads`. */
  readonly threads: number;
}

/** A DuckDB memory size as `memory_limit` takes it. */
export const MEMORY_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * The settings a sandbox instance is created with (docs/ad-hoc-sql.md "The sandbox"):
 * - READ_ONLY: nothing can be written to the snapshot file;
 * - no extension is installed or loaded on demand, no community or unsigned extension;
 * - its own `memory_limit` and `threads`.
 */
export const sandboxConfig = (limits: SandboxLimits): Record<string, string> => ({
  access_mode: 'READ_ONLY',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  memory_limit: limits.memoryLimit,
  threads: String(limits.threads),
});

/**
 * Set once the file is open, in this order, before any analyst's statement; DuckDB's security settings
 * cannot be loosened afterwards:
 * 1. no temporary directory: nothing spills to disk, a query past `memory_limit` fails with an
 *    `Out of Memory Error` (DuckDB refuses to change the directory once external access is off);
 * 2. `enable_external_access=false`: no other file (read_csv, read_text, glob, ATTACH, COPY…), no network;
 * 3. the local file system disabled: with external access off DuckDB still lets an instance read its own
 *    file (and its `.wal`) through functions such as `read_blob`; this closes that too. The open database
 *    keeps reading its blocks through the handle it holds;
 * 4. the configuration locked: no SET or RESET changes anything afterwards.
 */
export const SANDBOX_LOCKDOWN: ReadonlyArray<string> = [
  `SET temp_directory = ''`,
  'SET enable_external_access = false',
  `SET disabled_filesystems = 'LocalFileSystem'`,
  'SET lock_configuration = true',
];

/** Opens `file` (a snapshot) as a sandbox: {@link sandboxConfig}, then {@link SANDBOX_LOCKDOWN}, checked. */
export const openSandbox = async (file: string, limits: SandboxLimits): Promise<DuckDbDatabase> => {
  const db = await DuckDbDatabase.open(file, { config: sandboxConfig(limits) });
  try {
    const client = await db.connect();
    try {
      for (const statement of SANDBOX_LOCKDOWN) await client.run(statement);
      // Checked, not assumed: the configuration is locked, and the instance cannot read even its own file.
      const row = await client.queryOne<{ locked: boolean; external: boolean }>(
        `SELECT current_setting('lock_configuration') AS locked, current_setting('enable_external_access') AS external`,
      );
      const ownFile = await client.scalar(`SELECT size FROM read_blob('${file.replace(/'/g, "''")}')`).then(
        () => 'readable',
        (error: unknown) => String((error as { message?: unknown }).message ?? error),
      );
      if (row?.locked !== true || row.external !== false || !/^Permission Error/.test(ownFile)) {
        throw new Error(`the sandbox on ${file} did not take its settings: ${JSON.stringify({ ...row, ownFile })}`);
      }
    } finally {
      client.close();
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
};
