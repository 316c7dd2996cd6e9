import { findUpwards } from '@olist/duckdb';
import { migrateUp, type SqlClient } from '@olist/postgres';

/** The repository's `migrations/` (found from `libs/…/src` and from `dist/…` alike). */
export const MIGRATIONS_DIR = findUpwards(import.meta.url, 'migrations');

/** Applies the pending Postgres read-model migrations (idempotent; safe from several processes at once). */
export const migrateReadModels = (sql: SqlClient): Promise<string[]> => migrateUp(sql, MIGRATIONS_DIR);
