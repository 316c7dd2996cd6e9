import { MIGRATIONS_DIR } from '@olist/infrastructure';
import { createPgliteClient, migrateUp, type SqlClient } from '@olist/postgres';
import { apiKeyPrefix, generateApiKey, hashApiKey, IdentityStore, isApiKeyFormat, redactApiKeys } from '../src/index.js';

describe('API keys', () => {
  it('are 192 random bits behind a visible prefix, and are stored only as their SHA-256', () => {
    const key = generateApiKey();
    expect(isApiKeyFormat(key)).toBe(true);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(24);
    expect(generateApiKey()).not.toBe(key);
    expect(apiKeyPrefix(key)).toBe(key.slice(0, 12));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(redactApiKeys(`Bearer ${key} again ${key}`)).toBe(`Bearer ${apiKeyPrefix(key)}… again ${apiKeyPrefix(key)}…`);
  });
});

describe('IdentityStore (PGlite)', () => {
  let sql: SqlClient;
  let identities: IdentityStore;

  beforeEach(async () => {
    sql = await createPgliteClient();
    await migrateUp(sql, MIGRATIONS_DIR);
    identities = new IdentityStore(sql);
  });
  afterEach(() => sql.close());

  it('installs the bootstrap admin once, on an empty database only', async () => {
    const key = await identities.bootstrapAdmin();
    expect(key && isApiKeyFormat(key)).toBe(true);
    expect(await identities.bootstrapAdmin()).toBeUndefined();
    expect(await identities.principalOf(key!)).toMatchObject({ userName: 'admin', role: 'admin', keyPrefix: apiKeyPrefix(key!) });
    expect((await identities.listUsers()).map((u) => u.name)).toEqual(['admin']);
  });

  it('takes the given bootstrap key (OLIST_DW_ADMIN_KEY)', async () => {
    const given = generateApiKey();
    expect(await identities.bootstrapAdmin(given)).toBe(given);
    expect((await identities.principalOf(given))?.role).toBe('admin');
  });

  it('keeps no key in the clear: only its hash and prefix', async () => {
    await identities.addUser('ana', 'analyst');
    const created = await identities.createKey('ana', { description: 'notebooks' });
    const { rows } = await sql.query<Record<string, unknown>>('SELECT * FROM security_audit.api_keys');
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(rows[0]).toMatchObject({ prefix: apiKeyPrefix(created.key), key_hash: hashApiKey(created.key), description: 'notebooks' });
    expect((await identities.listKeys('ana')).map((k) => ({ ...k, key: (k as { key?: string }).key }))).toEqual([expect.objectContaining({ key: undefined, prefix: created.prefix })]);
  });

  it('refuses revoked and expired keys and the keys of a disabled user', async () => {
    await identities.addUser('ana', 'analyst');
    const [revoked, expired, current] = [
      await identities.createKey('ana'), await identities.createKey('ana', { expiresAt: new Date(Date.now() - 1000) }), await identities.createKey('ana'),
    ];
    await identities.revokeKey(revoked.prefix);
    expect(await identities.principalOf(revoked.key)).toBeUndefined();
    expect(await identities.principalOf(expired.key)).toBeUndefined();
    expect(await identities.principalOf(current.key)).toMatchObject({ userName: 'ana', role: 'analyst' });
    expect(await identities.principalOf(generateApiKey())).toBeUndefined();
    await identities.disableUser('ana');
    expect(await identities.principalOf(current.key)).toBeUndefined();
  });

  it('names what is missing or taken', async () => {
    await identities.addUser('ana', 'analyst');
    await expect(identities.addUser('ana', 'viewer')).rejects.toMatchObject({ code: 'SECURITY.USER_EXISTS' });
    await expect(identities.createKey('bob')).rejects.toMatchObject({ code: 'SECURITY.UNKNOWN_USER' });
    await expect(identities.revokeKey('odw_nothing1')).rejects.toMatchObject({ code: 'SECURITY.UNKNOWN_KEY' });
    await expect(identities.disableUser('bob')).rejects.toMatchObject({ code: 'SECURITY.UNKNOWN_USER' });
  });
});
