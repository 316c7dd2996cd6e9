/**
 * `olist-dw export --out DIR [--tables core,mart] [--format parquet|csv]`: every table of the chosen schemas as
 * one file each (DIR/<schema>/<table>.parquet or .csv), all of the same point of the log: they are written from
 * one snapshot (GET /v1/snapshot, or `--from FILE`, a snapshot or a DuckDB file no process holds). DIR/manifest.json
 * lists the tables, their rows and column types, and the snapshot they came from.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DuckDbDatabase } from '@olist/duckdb';
import { apiOptions, downloadSnapshot, type SnapshotInfo } from './support/snapshot-download.js';

const EXPORTABLE = ['core', 'mart'] as const;

const schemaList = (value: string): string[] => {
  const schemas = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = schemas.filter((s) => !(EXPORTABLE as readonly string[]).includes(s));
  if (schemas.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`expected a comma-separated list of ${EXPORTABLE.join(', ')}`);
  return [...new Set(schemas)];
};

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface ExportedTable {
  readonly table: string;
  readonly file: string;
  readonly rows: number;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}

/** Writes each table of `schemas` in the DuckDB file `from` to `out` as `format`. */
export const exportTables = async (
  from: string,
  out: string,
  { schemas, format, onTable }: { schemas: ReadonlyArray<string>; format: 'parquet' | 'csv'; onTable?: (table: string, done: number, total: number) => void },
): Promise<ExportedTable[]> => {
  const db = await DuckDbDatabase.open(from, { config: { access_mode: 'READ_ONLY' } });
  const client = await db.connect();
  try {
    const tables = await client.query<{ schema_name: string; table_name: string }>(
      `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
       AND schema_name IN (${schemas.map(literal).join(', ')}) ORDER BY schema_name, table_name`,
    );
    const exported: ExportedTable[] = [];
    for (const [i, t] of tables.entries()) {
      const name = `${t.schema_name}.${t.table_name}`;
      onTable?.(name, i, tables.length);
      await mkdir(join(out, t.schema_name), { recursive: true });
      const file = join(t.schema_name, `${t.table_name}.${format}`);
      const options = format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
      await client.run(`COPY ${quoted(t.schema_name)}.${quoted(t.table_name)} TO ${literal(join(out, file))} (${options})`);
      const rows = Number(await client.scalar(`SELECT count(*) FROM ${quoted(t.schema_name)}.${quoted(t.table_name)}`));
      const columns = await client.query<{ name: string; type: string }>(
        `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE database_name = current_database()
         AND schema_name = ${literal(t.schema_name)} AND table_name = ${literal(t.table_name)} ORDER BY column_index`,
      );
      exported.push({ table: name, file, rows, columns });
    }
    onTable?.('', tables.length, tables.length);
    return exported;
  } finally {
    client.close();
    db.close();
  }
};

const main = async (): Promise<void> => {
  const program = apiOptions(new Command('export').description('Export the star schema and marts as Parquet or CSV files, from one consistent snapshot'))
    .requiredOption('--out <dir>', 'the directory to write (created; must be empty)')
    .option('--tables <schemas>', `schemas to export: ${EXPORTABLE.join(', ')}`, schemaList, [...EXPORTABLE])
    .addOption(new Option('--format <format>', 'file format').choices(['parquet', 'csv']).default('parquet'))
    .option('--from <file>', 'export this DuckDB file (a snapshot, or a star-schema file no process holds) instead of downloading a snapshot')
    .parse();
  const opts = program.opts<{ out: string; tables: string[]; format: 'parquet' | 'csv'; from?: string; api: string; apiKey?: string; json?: boolean; progress: boolean }>();
  const out = resolve(opts.out);
  if (existsSync(out) && (await readdir(out)).length > 0) throw new Error(`${out} is not empty: give a new or empty directory`);
  await mkdir(out, { recursive: true });
  const started = performance.now();
  const scratch = opts.from ? undefined : await mkdtemp(join(tmpdir(), 'olist-dw-export-'));
  try {
    let snapshot: SnapshotInfo | null = null;
    const from = opts.from ? resolve(opts.from) : join(scratch!, 'snapshot.duckdb');
    if (!opts.from) snapshot = (await downloadSnapshot(opts, from)).snapshot;
    else if (!existsSync(from)) throw new Error(`--from ${from}: no such file`);
    const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ format: 'export {bar} {value}/{total} tables {table}', stream: process.stderr }, Presets.shades_classic) : undefined;
    const tables = await exportTables(from, out, {
      schemas: opts.tables,
      format: opts.format,
      onTable: (table, done, total) => (done === 0 ? bar?.start(total, 0, { table }) : bar?.update(done, { table })),
    });
    bar?.stop();
    const manifest = { exportedAt: new Date().toISOString(), source: opts.from ? from : `${opts.api}/v1/snapshot`, snapshot, format: opts.format, tables };
    await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
    if (opts.json) {
      console.log(JSON.stringify({ out, seconds, ...manifest }, null, 2));
      return;
    }
    console.log(`Exported ${tables.length} tables as ${opts.format} → ${out} in ${seconds} s (manifest.json lists them)`);
    if (snapshot) console.log(`  as of checkpoint ${snapshot.checkpoint ?? '(nothing projected)'}; marts refreshed ${snapshot.martRefresh?.refreshedAt ?? 'never'}`);
    for (const t of tables) console.log(`  ${t.table.padEnd(36)} ${String(t.rows).padStart(10)} rows  ${t.file}`);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  main().catch((error: Error) => {
    console.error(`export: ${error.message}`);
    process.exitCode = 1;
  });
}
