import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Umzug, type MigrationMeta, type UmzugStorage } from 'umzug';
import type { SqlClient } from './sql-client.js';

/** Applied migrations, in the database they describe. */
const storage: UmzugStorage<SqlClient> = {
  executed: async ({ context }) =>
    (await context.query<{ name: string }>('SELECT name FROM public.olist_dw_migrations ORDER BY name')).rows.map((r) => r.name),
  logMigration: async ({ name, context }) => void (await context.query('INSERT INTO public.olist_dw_migrations (name) VALUES ($1)', [name])),
  unlogMigration: async ({ name, context }) => void (await context.query('DELETE FROM public.olist_dw_migrations WHERE name = $1', [name])),
};

/** `NNNN_name.up.sql` with its `NNNN_name.down.sql`, in name order. */
const sqlMigrations = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.up.sql'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.up.sql'.length);
      return {
        name,
        up: ({ context }: { context: SqlClient }) => context.exec(readFileSync(join(dir, file), 'utf8')),
        down: ({ context }: { context: SqlClient }) => context.exec(readFileSync(join(dir, `${name}.down.sql`), 'utf8')),
      };
    });

/**
 * Runs `fn` with an umzug migrator over the SQL files of `dir`, in one transaction under an advisory
 * lock: concurrent processes (API and projector) migrate once, and a failing migration leaves nothing.
 */
const withMigrator = <T>(client: SqlClient, dir: string, fn: (migrator: Umzug<SqlClient>) => Promise<T>): Promise<T> =>
  client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('olist_dw.migrations'))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS public.olist_dw_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    return fn(new Umzug<SqlClient>({ migrations: sqlMigrations(dir), context: tx, storage, logger: undefined }));
  });

/** Applies the pending migrations; returns their names. */
export const migrateUp = (client: SqlClient, dir: string): Promise<string[]> =>
  withMigrator(client, dir, async (m) => (await m.up()).map((x: MigrationMeta) => x.name));

/** Reverts migrations down to (and excluding) `to`, or all of them; returns their names. */
export const migrateDown = (client: SqlClient, dir: string, to: string | 0 = 0): Promise<string[]> =>
  withMigrator(client, dir, async (m) => (await m.down({ to })).map((x: MigrationMeta) => x.name));
