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

  it('works through a login role of its own (AUDIT_DATABASE_URL) that can only add and read entries', async () => {
    await sql.exec(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'olist_dw_audit_writer') THEN CREATE ROLE olist_dw_audit_writer LOGIN PASSWORD 'olist_dw_audit_writer'; END IF;
    END $$; GRANT olist_dw_audit TO olist_dw_audit_writer;`);
    const url = new URL(db.url);
    url.username = 'olist_dw_audit_writer';
    url.password = 'olist_dw_audit_writer';
    const own = createPgClient(url.toString(), { max: 1 });
    const ownTrail = new AuditTrail(own, { onClose: () => own.close() });
    try {
      ownTrail.record(entry('dora'));
      await ownTrail.flush();
      expect((await ownTrail.read(reader('dora', 'analyst'), { limit: 10, offset: 0 })).total).toBe(1);
      expect((await own.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u).toBe('olist_dw_audit_writer');
      await expect(own.query('DELETE FROM security_audit.audit_log')).rejects.toThrow(/permission denied/);
      await expect(own.query('SELECT * FROM security_audit.users')).rejects.toThrow(/permission denied/);
    } finally {
      await ownTrail.close();
    }
  });

  it('shows a user only their own entries (row-level security), an auditor all', async () => {
    expect((await trail.read(reader('ana', 'analyst'), { limit: 100, offset: 0 })).entries.map((e) => e.user_name)).toEqual(['ana', 'ana']);
    expect((await trail.read(reader('bob', 'analyst'), { limit: 100, offset: 0 })).total).toBe(1);
    expect((await trail.read(reader('ana', 'analyst'), { user: 'bob', limit: 100, offset: 0 })).total).toBe(0);
    expect((await trail.read(reader('carl', 'auditor'), { limit: 100, offset: 0 })).total).toBe(5);
  });
});
