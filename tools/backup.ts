/**
 * `olist-dw backup --out DIR`: the event log (every event as stored, with its metadata, in log order), the tables
 * that are not derived from it (users, keys, the request audit trail, people's data keys) and a dump of the
 * read-model database, with a manifest of SHA-256 checksums (docs/operations.md, "Backup and restore").
 * Server mode (DATABASE_URL) backs up a running system; embedded mode needs the API stopped (PGlite has one owner).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { loadSettings, type Settings } from '@olist/config';
import { DuckDbDatabase } from '@olist/duckdb';
import { runBackup, type BackupProgress } from '@olist/operations';
import { createPgClient, createPgliteClient, type SqlClient } from '@olist/postgres';

/** The settings' database; in embedded mode only once no process holds the stores (the DuckDB file's lock tells). */
export const openDatabase = async (settings: Settings, purpose: string): Promise<SqlClient> => {
  if (settings.databaseUrl) return createPgClient(settings.databaseUrl, { max: 2, applicationName: `olist-dw-${purpose}` });
  if (existsSync(settings.duckdbPath)) {
    try {
      (await DuckDbDatabase.open(settings.duckdbPath, { config: { access_mode: 'READ_ONLY' } })).close();
    } catch (error) {
      if (/lock/i.test((error as Error).message)) throw new Error(`the embedded stores are in use (${settings.duckdbPath} is held): stop the API before the ${purpose}`);
      throw error;
    }
  }
  mkdirSync(dirname(settings.pgliteDir), { recursive: true });
  return createPgliteClient(settings.pgliteDir);
};

/** A progress bar (stderr, a terminal only) over the log's events, and a line per other step. */
export const progressReporter = (enabled: boolean): { readonly report: (progress: BackupProgress) => void; readonly stop: () => void } => {
  const bar = enabled && process.stderr.isTTY ? new SingleBar({ format: '{step} {bar} {value}/{total} events', stream: process.stderr }, Presets.shades_classic) : undefined;
  let started = false;
  return {
    report: (progress) => {
      if (!enabled) return;
      if (progress.total !== undefined) {
        if (!bar) return;
        if (!started) bar.start(progress.total, 0, { step: progress.step });
        started = true;
        bar.update(progress.done, { step: progress.step });
        return;
      }
      if (started) {
        bar?.stop();
        started = false;
      }
      process.stderr.write(`  ${progress.step}: ${progress.done.toLocaleString('en')}\n`);
    },
    stop: () => bar?.stop(),
  };
};

const main = async (): Promise<void> => {
  const opts = new Command('backup')
    .description('Back up the event log, the non-derived tables and a dump of the read-model database to a directory')
    .requiredOption('--out <dir>', 'a new or empty directory')
    .option('--json', 'print the manifest as JSON')
    .option('--no-progress', 'no progress lines')
    .parse()
    .opts<{ out: string; json?: boolean; progress: boolean }>();
  const settings = loadSettings();
  const out = resolve(opts.out);
  const started = performance.now();
  const sql = await openDatabase(settings, 'backup');
  try {
    const progress = progressReporter(opts.progress && !opts.json);
    const manifest = await runBackup(settings, sql, out, progress.report).finally(progress.stop);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    if (opts.json) {
      console.log(JSON.stringify({ out, seconds, ...manifest }, null, 2));
      return;
    }
    console.log(`Backed up ${manifest.events.toLocaleString('en')} events and ${Object.values(manifest.tables).reduce((a, n) => a + n, 0)} rows of ${Object.keys(manifest.tables).length} tables → ${out} in ${seconds} s`);
    for (const [name, file] of Object.entries(manifest.files)) console.log(`  ${name.padEnd(28)} ${(file.bytes / 1_048_576).toFixed(2).padStart(9)} MiB  sha256 ${file.sha256.slice(0, 16)}…`);
    console.log('The master key is not in the backup: keep OLIST_DW_MASTER_KEY (or its file) apart, the restored system needs it.');
  } finally {
    await sql.close();
  }
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  main().catch((error: Error) => {
    console.error(`backup: ${error.message}`);
    process.exitCode = 1;
  });
}
