import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase } from '@olist/duckdb';
import type { MartPage } from './mart-reader.js';

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * A page of a mart as a Parquet file, its columns of the mart's DuckDB types (DECIMAL stays DECIMAL, DATE stays
 * DATE): the page's rows, as any reader gave them, are typed back by a scratch in-memory DuckDB instance.
 */
export const martPageToParquet = async (page: Pick<MartPage, 'mart' | 'columns' | 'rows'>): Promise<Buffer> => {
  const dir = await mkdtemp(join(tmpdir(), 'olist-dw-parquet-'));
  const db = await DuckDbDatabase.open();
  try {
    const rows = join(dir, 'rows.ndjson');
    const out = join(dir, `${page.mart}.parquet`);
    await writeFile(rows, page.rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).join('\n'));
    const types = page.columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ');
    const select = page.columns.map((c) => quoted(c.name)).join(', ');
    const client = await db.connect();
    try {
      await client.run(
        `COPY (SELECT ${select} FROM read_json(${literal(rows)}, format = 'newline_delimited', columns = {${types}})) TO ${literal(out)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      client.close();
    }
    return await readFile(out);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
};
