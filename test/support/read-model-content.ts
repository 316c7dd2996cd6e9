import { MART_TABLES, STAR_SCHEMA_TABLES, duckDbTableContent } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { NON_DERIVED_TABLES } from '@olist/operations';
import { tableContent, tablesInSchemas, type SqlClient, type TableContent } from '@olist/postgres';

const READ_MODEL_SCHEMAS = ['etl_orchestration', 'data_quality'];

/** Every star-schema table and mart of a DuckDB file no process holds, by content hash. */
export const starSchemaContent = async (duckdbPath: string): Promise<Record<string, TableContent | undefined>> => {
  const out: Record<string, TableContent | undefined> = {};
  const db = await DuckDbDatabase.open(duckdbPath, { config: { access_mode: 'READ_ONLY' } });
  const duck = await db.connect();
  try {
    for (const table of [...STAR_SCHEMA_TABLES, ...MART_TABLES]) out[table] = await duckDbTableContent(duck, table);
  } finally {
    duck.close();
    db.close();
  }
  return out;
};

/** Every table a rebuild makes (star schema and marts in the DuckDB file, the operational read models in `sql`), by content hash. */
export const derivedContent = async (duckdbPath: string, sql: SqlClient): Promise<Record<string, TableContent | undefined>> => {
  const out = await starSchemaContent(duckdbPath);
  for (const table of await tablesInSchemas(sql, READ_MODEL_SCHEMAS)) out[table] = await tableContent(sql, table);
  return out;
};

/** The tables a backup keeps as rows (users, keys, the audit trail, data keys), by content hash. */
export const nonDerivedContent = async (sql: SqlClient): Promise<Record<string, TableContent>> => {
  const out: Record<string, TableContent> = {};
  for (const table of NON_DERIVED_TABLES) out[table] = await tableContent(sql, table);
  return out;
};
