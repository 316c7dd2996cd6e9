import { MIGRATIONS_DIR } from '@olist/infrastructure';
import { createPgliteClient, migrateUp, type SqlClient } from '@olist/postgres';
import { AuditTrail, type AuditEntry } from '../src/index.js';

const entry = (path: string, params: Record<string, unknown>, sql: string | null = null): AuditEntry => ({
  at: new Date().toISOString(), requestId: '1', userName: 'ana', role: 'analyst', keyPrefix: 'odw_x', method: 'GET', route: '/v1/marts/:name',
  path, params, sql, status: 404, durationMs: 1.5, client: '127.0.0.1',
});

describe('the request audit trail, given what PostgreSQL cannot store', () => {
  let sql: SqlClient;

  beforeAll(async () => {
    sql = await createPgliteClient();
    await migrateUp(sql, MIGRATIONS_DIR);
  });
  afterAll(() => sql.close());

  it('keeps a request whose path, parameters or SQL hold NUL or half a surrogate pair (U+FFFD in their place), and every entry behind it', async () => {
    const errors: Error[] = [];
    const trail = new AuditTrail(sql, { onError: (error) => errors.push(error) });
    trail.record(entry('/v1/marts/a\u0000b', { 'na\u0000me': 'x\ud800y', nested: ['\u0000'] }, 'SELECT 1 -- \u0000'));
    trail.record(entry('/v1/marts/monthly_revenue', { name: 'monthly_revenue' }));
    await trail.flush();
    expect(errors).toEqual([]);
    const { rows } = await sql.query<{ path: string; params: unknown; sql: string | null }>('SELECT path, params, sql FROM security_audit.audit_log ORDER BY entry_id');
    expect(rows).toEqual([
      { path: '/v1/marts/a\ufffdb', params: { 'na\ufffdme': 'x\ufffdy', nested: ['\ufffd'] }, sql: 'SELECT 1 -- \ufffd' },
      { path: '/v1/marts/monthly_revenue', params: { name: 'monthly_revenue' }, sql: null },
    ]);
    await trail.close();
  });
});
