/**
 * `olist-dw restore DIR`: a backup (`olist-dw backup`) into EMPTY stores, those of the environment (DATABASE_URL, or
 * PGLITE_DIR and DUCKDB_PATH): the event log and the non-derived tables. The projector then builds every read
 * model from the log at its first start, and `olist-dw rebuild` compares them.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadSettings } from '@olist/config';
import { runRestore } from '@olist/operations';
import { openDatabase, progressReporter } from './backup.js';

const main = async (): Promise<void> => {
  const program = new Command('restore')
    .description('Restore a backup into empty stores (then start the API or the projector: it rebuilds the read models from the log)')
    .argument('<dir>', 'the backup directory')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress lines')
    .parse();
  const opts = program.opts<{ json?: boolean; progress: boolean }>();
  const dir = resolve(program.args[0]!);
  const settings = loadSettings();
  const started = performance.now();
  const sql = await openDatabase(settings, 'restore');
  try {
    const progress = progressReporter(opts.progress && !opts.json);
    const restored = await runRestore(settings, sql, dir, progress.report).finally(progress.stop);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    if (opts.json) {
      console.log(JSON.stringify({ dir, seconds, ...restored }, null, 2));
      return;
    }
    console.log(`Restored ${restored.events.toLocaleString('en')} events and ${Object.values(restored.tables).reduce((a, n) => a + n, 0)} rows from ${dir} in ${seconds} s`);
    console.log(`Now start ${settings.mode === 'embedded' ? 'the API (olist-dw serve)' : 'the projector (olist-dw projector) and the API'} with the same master key: the projector rebuilds the read models from the log.`);
  } finally {
    await sql.close();
  }
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  main().catch((error: Error) => {
    console.error(`restore: ${error.message}`);
    process.exitCode = 1;
  });
}
