import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@olist/config';
import { createPgliteClient } from '@olist/postgres';
import { generateApiKey } from '@olist/security';
import { createApiApp } from '../../apps/api/src/main.js';

describe('the audit trail on shutdown', () => {
  it('writes the entries still queued when the API stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'olist-dw-audit-'));
    try {
      const key = generateApiKey();
      const settings = loadSettings({ PGLITE_DIR: join(dir, 'pglite'), DUCKDB_PATH: join(dir, 'o.duckdb'), LOG_LEVEL: 'error', OLIST_DW_ADMIN_KEY: key });
      const app = await createApiApp(settings);
      await app.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const statuses = [];
      for (const headers of [{ authorization: `Bearer ${key}` }, {}, { authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
        statuses.push((await fetch(`${url}/v1/pipeline-runs`, { headers })).status);
      }
      expect(statuses).toEqual([200, 401, 200]);
      await app.close(); // at once: the entries are still queued (written every 200 ms)
      const sql = await createPgliteClient(settings.pgliteDir);
      try {
        const { rows } = await sql.query<{ status: number; user_name: string | null }>('SELECT status, user_name FROM security_audit.audit_log ORDER BY entry_id');
        expect(rows).toEqual([{ status: 200, user_name: 'admin' }, { status: 401, user_name: null }, { status: 200, user_name: 'admin' }]);
      } finally {
        await sql.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
