import type { DuckDbClient } from '@olist/duckdb';
import { STAR_SCHEMA_TABLES } from './star-schema/star-schema-projection.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

const qualified = (table: string): string => {
  if (!IDENTIFIER.test(table)) throw new Error(`not a table name: ${table}`);
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
};

/** Row count per table. */
export const tableCounts = async (
  client: DuckDbClient,
  tables: ReadonlyArray<string> = STAR_SCHEMA_TABLES,
): Promise<Record<string, number>> => {
  if (tables.length === 0) return {};
  const sql = tables.map((t, i) => `SELECT ${i} AS i, count(*) AS n FROM ${qualified(t)}`).join(' UNION ALL ');
  const rows = await client.query<{ i: number; n: bigint }>(sql);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[tables[row.i]!] = Number(row.n);
  return counts;
};

/**
 * MD5 of a table's content: every row rendered as text (DuckDB's struct text of the whole row), sorted,
 * joined with newlines. Independent of physical row order, so a projection rebuilt from position 0 (or
 * fed through another event-store adapter, or in other batch sizes) can be compared with the live one.
 */
export const contentHash = async (client: DuckDbClient, table: string): Promise<string> => {
  const hash = await client.scalar<string>(
    `SELECT md5(COALESCE(string_agg(r, chr(10) ORDER BY r), '')) FROM (SELECT CAST(t AS VARCHAR) AS r FROM ${qualified(table)} AS t)`,
  );
  return hash!;
};

/** {@link contentHash} of several tables (default: the star schema's dimensions and facts). */
export const contentHashes = async (
  client: DuckDbClient,
  tables: ReadonlyArray<string> = STAR_SCHEMA_TABLES,
): Promise<Record<string, string>> => {
  const hashes: Record<string, string> = {};
  for (const table of tables) hashes[table] = await contentHash(client, table);
  return hashes;
};

/** Row count and {@link contentHash} of a DuckDB table, or undefined when the table does not exist. */
export const duckDbTableContent = async (client: DuckDbClient, table: string): Promise<{ rows: number; hash: string } | undefined> => {
  qualified(table);
  const [schema, name] = table.includes('.') ? table.split('.') : ['main', table];
  const exists = await client.scalar<bigint>('SELECT count(*) FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2', [schema!, name!]);
  if (!exists) return undefined;
  const counts = await tableCounts(client, [table]);
  return { rows: counts[table]!, hash: await contentHash(client, table) };
};
