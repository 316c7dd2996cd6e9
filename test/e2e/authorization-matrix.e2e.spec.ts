import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadSettings } from '@olist/config';
import { SQL_CLIENT } from '@olist/infrastructure';
import type { SqlClient } from '@olist/postgres';
import { admits, AuditTrail, IdentityStore, ROLES, type Role } from '@olist/security';
import { createProjectorApp } from '../../apps/projector/src/main.js';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';
import { concretePath, routesOf, type RouteInfo } from '../support/routes.js';

/** A way to present oneself, and what every protected route must answer to it. */
interface Credential {
  readonly name: string;
  readonly headers: Record<string, string>;
  /** The role, for a working key; undefined for credentials every protected route refuses with 401. */
  readonly role?: Role;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Users of every role, and keys that must not work: revoked, expired, of a disabled user. */
const credentialsFor = async (identities: IdentityStore, adminKey: string | undefined): Promise<Credential[]> => {
  const credentials: Credential[] = [];
  for (const role of ROLES) {
    if (role === 'admin' && adminKey) {
      credentials.push({ name: 'admin', headers: bearer(adminKey), role });
      continue;
    }
    await identities.addUser(`role-${role}`, role);
    credentials.push({ name: role, headers: bearer((await identities.createKey(`role-${role}`)).key), role });
  }
  await identities.addUser('revoked', 'admin');
  const revoked = await identities.createKey('revoked');
  await identities.revokeKey(revoked.keyId);
  await identities.addUser('expired', 'admin');
  const expired = await identities.createKey('expired', { expiresAt: new Date(Date.now() - 60_000) });
  await identities.addUser('disabled', 'admin');
  const disabled = await identities.createKey('disabled');
  await identities.disableUser('disabled');
  return [
    ...credentials,
    { name: 'no key', headers: {} },
    { name: 'revoked key', headers: bearer(revoked.key) },
    { name: 'expired key', headers: bearer(expired.key) },
    { name: 'key of a disabled user', headers: bearer(disabled.key) },
    { name: 'malformed header', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    { name: 'not a key', headers: bearer('odw_short') },
    { name: 'unknown key', headers: bearer('odw_0123456789abcdefghijklmnopqrstuv') },
  ];
};

const expectedFor = (route: RouteInfo, credential: Credential): 'allowed' | 401 | 403 => {
  if (route.access === 'public') return 'allowed';
  if (!credential.role) return 401;
  return admits(route.access as ReadonlyArray<Role>, credential.role) ? 'allowed' : 403;
};

describe('security: every route of both apps, with every role and every bad credential', () => {
  let api: EmbeddedApi;
  let projector: NestExpressApplication;
  let projectorUrl: string;
  let projectorDir: string;
  let apiRequests = 0;

  const call = async (base: string, route: RouteInfo, credential: Credential): Promise<{ status: number; code?: string }> => {
    const init: RequestInit = { method: route.method, headers: { ...credential.headers, 'content-type': 'application/json' } };
    if (route.method === 'POST') init.body = '{}';
    if (base === api.url) apiRequests += 1;
    const response = await fetch(`${base}${concretePath(route.path)}`, init);
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    return { status: response.status, code: body.code };
  };

  beforeAll(async () => {
    api = await startEmbeddedApi();
    projectorDir = await mkdtemp(join(tmpdir(), 'olist-dw-authz-projector-'));
    projector = await createProjectorApp(loadSettings({
      PGLITE_DIR: join(projectorDir, 'pglite'), DUCKDB_PATH: join(projectorDir, 'olist.duckdb'), LOG_LEVEL: 'error', PROJECTOR_PORT: '0',
    }));
    await projector.listen(0, '127.0.0.1');
    projectorUrl = `http://127.0.0.1:${(projector.getHttpServer().address() as { port: number }).port}`;
    // As in the fuzz test: fetch closes its idle sockets itself. A server closing one at its keep-alive timeout while
    // fetch reuses it (one app's socket idles while the other app's hundreds of calls run, on a loaded machine)
    // is a reset connection, no answer about a route's access.
    for (const app of [api.app, projector]) app.getHttpServer().keepAliveTimeout = 120_000;
  }, 120_000);

  afterAll(async () => {
    await projector?.close();
    await api?.close();
    await rm(projectorDir, { recursive: true, force: true });
  });

  it('every route declares its roles or is public', () => {
    const undeclared = [...routesOf(api.app), ...routesOf(projector)].filter((r) => r.access === 'undeclared').map((r) => `${r.method} ${r.path} (${r.controller})`);
    expect(undeclared).toEqual([]);
  });

  it.each([['the API', () => ({ app: api.app as NestExpressApplication, url: api.url, adminKey: api.adminKey })],
    ['the projector process', () => ({ app: projector, url: projectorUrl, adminKey: undefined })]])(
    '%s answers each credential as the route declares (401 without a working key, 403 for a role not admitted)',
    async (_name, target) => {
      const { app, url, adminKey } = target();
      const routes = routesOf(app);
      expect(routes.length).toBeGreaterThan(adminKey ? 15 : 4);
      const credentials = await credentialsFor(app.get(IdentityStore), adminKey);
      const mismatches: string[] = [];
      for (const route of routes) {
        for (const credential of credentials) {
          const expected = expectedFor(route, credential);
          const { status, code } = await call(url, route, credential);
          const ok = expected === 'allowed' ? status !== 401 && status !== 403 && status < 500 || (status === 503 && code !== undefined) : status === expected;
          if (!ok) mismatches.push(`${route.method} ${route.path} as ${credential.name}: ${status} ${code ?? ''}, expected ${expected}`);
          if (expected === 401) expect(code).toMatch(/^AUTH\.(MISSING_KEY|MALFORMED_KEY|INVALID_KEY)$/);
          if (expected === 403) expect(code).toBe('AUTH.FORBIDDEN');
        }
      }
      expect(mismatches).toEqual([]);
    },
    300_000,
  );

  it('keeps exactly one audit-log entry per request, refused ones included, and the database refuses to change them', async () => {
    const trail = api.app.get(AuditTrail);
    await trail.flush();
    const sql = api.app.get<SqlClient>(SQL_CLIENT);
    const count = async () => Number((await sql.query<{ n: bigint }>('SELECT count(*) AS n FROM security_audit.audit_log')).rows[0]!.n);
    expect(await count()).toBe(apiRequests);
    const refused = (await sql.query<Record<string, unknown>>(`SELECT * FROM security_audit.audit_log WHERE status = 401 ORDER BY entry_id LIMIT 1`)).rows[0]!;
    expect(refused).toMatchObject({ user_name: null, status: 401, method: expect.any(String), route: expect.stringMatching(/^\/(v1\/|metrics$)/) }); // a route pattern, never the raw path
    const allowed = (await sql.query<Record<string, unknown>>(
      `SELECT * FROM security_audit.audit_log WHERE user_name = 'role-analyst' AND route = '/v1/marts/:name' LIMIT 1`)).rows[0]!;
    expect(allowed).toMatchObject({ role: 'analyst', key_prefix: expect.stringMatching(/^odw_/), params: { name: 'monthly_revenue' }, client: expect.any(String) });
    for (const statement of ['UPDATE security_audit.audit_log SET status = 200', 'DELETE FROM security_audit.audit_log', 'TRUNCATE security_audit.audit_log']) {
      await expect(sql.query(statement)).rejects.toThrow(/append-only/);
    }
    await expect(sql.transaction(async (tx) => {
      await tx.query('SET LOCAL ROLE olist_dw_audit');
      await tx.query(`DELETE FROM security_audit.audit_log WHERE entry_id < 0`);
    })).rejects.toThrow(/permission denied/);
    expect(await count()).toBe(apiRequests);
  });

  it('lets a user read only their own audit-log entries, and auditors all of them', async () => {
    const identities = api.app.get(IdentityStore);
    const analystKey = (await identities.createKey('role-analyst')).key;
    const auditorKey = (await identities.createKey('role-auditor')).key;
    const read = async (key: string, query = '') => (await (await fetch(`${api.url}/v1/audit/log?limit=1000${query}`, { headers: bearer(key) })).json()) as {
      total: number; entries: Array<{ user_name: string | null }>;
    };
    const own = await read(analystKey);
    expect(own.total).toBeGreaterThan(0);
    expect(new Set(own.entries.map((e) => e.user_name))).toEqual(new Set(['role-analyst']));
    const all = await read(auditorKey);
    expect(all.total).toBeGreaterThan(own.total);
    expect(all.entries.some((e) => e.user_name === null)).toBe(true);
    expect((await read(analystKey, '&user=role-auditor')).total).toBe(0);
  });
});
