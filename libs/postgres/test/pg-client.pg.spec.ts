import { createPgClient, createTestDatabase, type TestDatabase } from '../src/index.js';
import { describeSqlClientContract } from './sql-client.contract.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('sqlclient');
});
afterAll(() => database?.drop());

describeSqlClientContract('pg', async () => {
  const client = createPgClient(database.url);
  return { client, cleanup: () => client.close() };
});

describe('PgSqlClient sessions', () => {
  it('set idle_in_transaction_session_timeout (default 60 s)', async () => {
    const client = createPgClient(database.url);
    try {
      const { rows } = await client.query<{ t: string }>(`SELECT current_setting('idle_in_transaction_session_timeout') AS t`);
      expect(rows[0]!.t).toBe('1min');
    } finally {
      await client.close();
    }
  });

  it('end a session left idle in a transaction, and the pool recovers', async () => {
    const client = createPgClient(database.url, { idleInTransactionTimeoutMs: 200, max: 1 });
    try {
      await expect(
        client.transaction(async (tx) => {
          await tx.query(`SELECT pg_current_xact_id()`);
          await new Promise((r) => setTimeout(r, 600));
          await tx.query(`SELECT 1`);
        }),
      ).rejects.toThrow();
      expect((await client.query<{ one: number }>(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });
});
