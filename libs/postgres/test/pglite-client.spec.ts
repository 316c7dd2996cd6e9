import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteClient } from '../src/index.js';
import { describeSqlClientContract } from './sql-client.contract.js';

describeSqlClientContract('PGlite in memory', async () => {
  const client = await createPgliteClient();
  return { client, cleanup: () => client.close() };
});

describe('PgliteSqlClient with a data directory', () => {
  it('persists across instances', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pglite-'));
    try {
      const first = await createPgliteClient(dir);
      await first.query(`CREATE TABLE kept (n int8)`);
      await first.query(`INSERT INTO kept VALUES (7)`);
      await first.close();
      const second = await createPgliteClient(dir);
      expect((await second.query<{ n: bigint }>(`SELECT n FROM kept`)).rows).toEqual([{ n: 7n }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
