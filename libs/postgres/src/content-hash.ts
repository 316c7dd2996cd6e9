import { quoteIdent, type SqlClient } from './sql-client.js';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

const qualified = (table: string): string => {
  if (!TABLE_NAME.test(table)) throw new Error(`not a schema-qualified table name: ${table}`);
  return table.split('.').map(quoteIdent).join('.');
};

/** A table's row count and content hash. */
export interface TableContent {
  readonly rows: number;
  readonly hash: string;
}

/**
 * Row count and MD5 of a table's content: every row rendered as Postgres row text (`t::text`), sorted
 * bytewise (COLLATE "C"), joined with newlines — the Postgres twin of the DuckDB `contentHash` of
 * @olist/analytics. Independent of physical order and of the server's collation; the text of
 * timestamptz is pinned to UTC and ISO so that a PGlite copy and a server copy of the same rows hash alike.
 */
export const tableContent = (client: SqlClient, table: string): Promise<TableContent> =>
  client.transaction(async (tx) => {
    await tx.query(`SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, MDY', true),
                           set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true)`);
    const { rows } = await tx.query<{ n: bigint; hash: string }>(
      `SELECT count(*) AS n, md5(COALESCE(string_agg(r, chr(10) ORDER BY r COLLATE "C"), '')) AS hash
       FROM (SELECT t::text AS r FROM ${qualified(table)} AS t) AS rendered`,
    );
    return { rows: Number(rows[0]!.n), hash: rows[0]!.hash };
  });

/** {@link tableContent} of several tables, by name. */
export const tableContents = async (client: SqlClient, tables: ReadonlyArray<string>): Promise<Record<string, TableContent>> => {
  const contents: Record<string, TableContent> = {};
  for (const table of tables) contents[table] = await tableContent(client, table);
  return contents;
};

/** The base tables of the given schemas, as `schema.table`, sorted. */
export const tablesInSchemas = async (client: SqlClient, schemas: ReadonlyArray<string>): Promise<string[]> => {
  if (schemas.length === 0) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema = ANY($1::text[]) ORDER BY 1`,
    [schemas],
  );
  return rows.map((r) => r.name);
};
