import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection string of the new database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, terminating any connection still open on it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database on the server of `maintenanceUrl` (default: DATABASE_URL, else the
 * local server), for tests that must not collide with anything else on the cluster.
 */
export async function createTestDatabase(
  prefix = 'test',
  maintenanceUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid test database name ${name}`);
  await withMaintenance(maintenanceUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(maintenanceUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withMaintenance(maintenanceUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withMaintenance(url: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
