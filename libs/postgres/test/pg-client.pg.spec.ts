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

  it('compile no statement with JIT, in pooled queries and in transactions', async () => {
    const client = createPgClient(database.url);
    try {
      expect((await client.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit).toBe('off');
      await client.transaction(async (tx) => {
        expect((await tx.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit).toBe('off');
      });
    } finally {
      await client.close();
    }
  });

  it("keep a connection string's own options, which may set JIT back on", async () => {
    const withOptions = (options: string) => `${database.url}${database.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(options)}`;
    const client = createPgClient(withOptions('-c statement_timeout=7s'));
    const jitOn = createPgClient(withOptions('-c jit=on'));
    try {
      expect((await client.query<{ t: string; jit: string }>(`SELECT current_setting('statement_timeout') AS t, current_setting('jit') AS jit`)).rows[0])
        .toEqual({ t: '7s', jit: 'off' });
      expect((await jitOn.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]!.jit).toBe('on');
    } finally {
      await client.close();
      await jitOn.close();
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
