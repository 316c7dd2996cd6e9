import { MIGRATIONS_DIR } from '@olist/infrastructure';
import { createPgClient, createTestDatabase, migrateUp, type SqlClient, type TestDatabase } from '@olist/postgres';
import { AuditTrail, type AuditEntry } from '../src/index.js';

const entry = (userName: string | null, status = 200): AuditEntry => ({
  at: new Date().toISOString(), requestId: '1', userName, role: userName ? 'analyst' : null, keyPrefix: null, method: 'GET', route: '/v1/marts/:name',
  path: '/v1/marts/monthly_revenue', params: { name: 'monthly_revenue' }, sql: null, status, durationMs: 1.5, client: '127.0.0.1',
});
const reader = (userName: string, role: 'analyst' | 'auditor') => ({ userId: 'u', userName, role, keyId: 'k', keyPrefix: 'odw_x' });

describe('security_audit.audit_log on a PostgreSQL server', () => {
  let db: TestDatabase;
  let sql: SqlClient;
  let trail: AuditTrail;

  beforeAll(async () => {
    db = await createTestDatabase('olist_dw_audit');
    sql = createPgClient(db.url);
    await migrateUp(sql, MIGRATIONS_DIR);
    trail = new AuditTrail(sql);
    for (const user of ['ana', 'ana', 'bob', null]) trail.record(entry(user, user ? 200 : 401));
    await trail.flush();
  });
  afterAll(async () => {
    await trail.close();
    await sql.close();
    await db.drop();
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even from the owner', async () => {
    for (const statement of ['UPDATE security_audit.audit_log SET status = 500', 'DELETE FROM security_audit.audit_log', 'TRUNCATE security_audit.audit_log']) {
      await expect(sql.query(statement)).rejects.toThrow(/append-only/);
    }
    expect(Number((await sql.query<{ n: bigint }>('SELECT count(*) AS n FROM security_audit.audit_log')).rows[0]!.n)).toBe(4);
  });

  it('gives the application role only INSERT and SELECT', async () => {
    await expect(sql.transaction(async (tx) => {
      await tx.query('SET LOCAL ROLE olist_dw_audit');
      await tx.query('UPDATE security_audit.audit_log SET status = 500 WHERE entry_id < 0');
    })).rejects.toThrow(/permission denied/);
  });

  it('shows a user only their own entries (row-level security), an auditor all', async () => {
    expect((await trail.read(reader('ana', 'analyst'), { limit: 100, offset: 0 })).entries.map((e) => e.user_name)).toEqual(['ana', 'ana']);
    expect((await trail.read(reader('bob', 'analyst'), { limit: 100, offset: 0 })).total).toBe(1);
    expect((await trail.read(reader('ana', 'analyst'), { user: 'bob', limit: 100, offset: 0 })).total).toBe(0);
    expect((await trail.read(reader('carl', 'auditor'), { limit: 100, offset: 0 })).total).toBe(4);
  });
});
