/**
 * `olist-dw snapshot --out FILE.duckdb`: a consistent read-only copy of the star schema (`core`) and the marts
 * (`mart`), from the running system (GET /v1/snapshot: the DuckDB owner copies them in one transaction), for
 * Metabase, Superset, the DuckDB CLI or dbt-duckdb (docs/exports.md). The system keeps running.
 */
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { DuckDbDatabase } from '@olist/duckdb';
import { apiOptions, downloadSnapshot } from './support/snapshot-download.js';

/** The tables of a snapshot (or any DuckDB file) with their rows. */
export const tablesOf = async (file: string, schemas: ReadonlyArray<string>): Promise<Array<{ schema: string; table: string; rows: number }>> => {
  const db = await DuckDbDatabase.open(file, { config: { access_mode: 'READ_ONLY' } });
  const client = await db.connect();
  try {
    const tables = await client.query<{ schema_name: string; table_name: string }>(
      `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name IN (${schemas.map((s) => `'${s}'`).join(', ')})
       ORDER BY schema_name, table_name`,
    );
    const out = [];
    for (const t of tables) {
      const rows = Number(await client.scalar(`SELECT count(*) FROM "${t.schema_name}"."${t.table_name}"`));
      out.push({ schema: t.schema_name, table: t.table_name, rows });
    }
    return out;
  } finally {
    client.close();
    db.close();
  }
};

const main = async (): Promise<void> => {
  const program = apiOptions(new Command('snapshot').description('Write a consistent read-only DuckDB copy of the star schema and marts'))
    .requiredOption('--out <file>', 'the DuckDB file to write (must not exist)')
    .parse();
  const opts = program.opts<{ out: string; api: string; apiKey?: string; json?: boolean; progress: boolean }>();
  const out = resolve(opts.out);
  if (existsSync(out)) throw new Error(`${out} exists: give a new file`);
  await mkdir(dirname(out), { recursive: true });
  const started = performance.now();
  const { snapshot } = await downloadSnapshot(opts, out);
  const tables = await tablesOf(out, ['core', 'mart']);
  const summary = { file: out, bytes: (await stat(out)).size, snapshot, tables, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`Snapshot of the star schema and marts → ${out} (${(summary.bytes / 1_048_576).toFixed(1)} MiB, ${summary.seconds} s)`);
  console.log(`  as of checkpoint ${snapshot.checkpoint ?? '(nothing projected)'}, ${snapshot.eventsProjected ?? 0} events projected; marts refreshed ${snapshot.martRefresh?.refreshedAt ?? 'never'}`);
  for (const t of tables) console.log(`  ${`${t.schema}.${t.table}`.padEnd(36)} ${String(t.rows).padStart(10)} rows`);
  console.log(`Open it read-only: duckdb -readonly ${out}`);
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  main().catch((error: Error) => {
    console.error(`snapshot: ${error.message}`);
    process.exitCode = 1;
  });
}
