import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@olist/postgres';
import { ApplicationError } from '@olist/shared-kernel';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../domain/api-keys.js';
import { isRole, type Principal, type Role } from '../domain/roles.js';

export interface UserView {
  readonly userId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

export interface ApiKeyView {
  readonly keyId: string;
  readonly userName: string;
  readonly prefix: string;
  readonly description: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A key as created: the only time the whole key is shown. */
export interface CreatedApiKey extends ApiKeyView {
  readonly key: string;
}

export class UnknownUserError extends ApplicationError {
  readonly code = 'SECURITY.UNKNOWN_USER';
  readonly kind = 'not_found';
}
export class UserExistsError extends ApplicationError {
  readonly code = 'SECURITY.USER_EXISTS';
  readonly kind = 'conflict';
}
export class UnknownApiKeyError extends ApplicationError {
  readonly code = 'SECURITY.UNKNOWN_KEY';
  readonly kind = 'not_found';
}

const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : value === null || value === undefined ? null : String(value));

interface KeyRow {
  key_id: string;
  user_name: string;
  prefix: string;
  description: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
const keyView = (r: KeyRow): ApiKeyView => ({
  keyId: r.key_id, userName: r.user_name, prefix: r.prefix, description: r.description, createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at), lastUsedAt: iso(r.last_used_at),
});

/** Users and API keys in `security_audit` (Postgres or PGlite). */
export class IdentityStore {
  constructor(private readonly sql: SqlClient) {}

  async addUser(name: string, role: Role): Promise<UserView> {
    const userId = randomUUID();
    const { rows } = await this.sql.query<{ created_at: Date }>(
      `INSERT INTO security_audit.users (user_id, name, role) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING created_at`,
      [userId, name, role],
    );
    if (rows.length === 0) throw new UserExistsError(`user ${name} exists already`, { user: name });
    return { userId, name, role, createdAt: iso(rows[0]!.created_at)!, disabledAt: null };
  }

  async listUsers(): Promise<UserView[]> {
    const { rows } = await this.sql.query<{ user_id: string; name: string; role: Role; created_at: Date; disabled_at: Date | null }>(
      'SELECT user_id, name, role, created_at, disabled_at FROM security_audit.users ORDER BY name',
    );
    return rows.map((r) => ({ userId: r.user_id, name: r.name, role: r.role, createdAt: iso(r.created_at)!, disabledAt: iso(r.disabled_at) }));
  }

  /** A disabled user's keys stop working at once; the user and the audit trail stay. */
  async disableUser(name: string): Promise<void> {
    const { rowCount } = await this.sql.query('UPDATE security_audit.users SET disabled_at = coalesce(disabled_at, now()) WHERE name = $1', [name]);
    if (rowCount === 0) throw new UnknownUserError(`no user ${name}`, { user: name });
  }

  async createKey(userName: string, options: { description?: string; expiresAt?: Date } = {}): Promise<CreatedApiKey> {
    const key = generateApiKey();
    const keyId = randomUUID();
    const { rows } = await this.sql.query<KeyRow>(
      `INSERT INTO security_audit.api_keys (key_id, user_id, prefix, key_hash, description, expires_at)
       SELECT $1, user_id, $3, $4, $5, $6 FROM security_audit.users WHERE name = $2
       RETURNING key_id, $2::text AS user_name, prefix, description, created_at, expires_at, revoked_at, last_used_at`,
      [keyId, userName, apiKeyPrefix(key), hashApiKey(key), options.description ?? '', options.expiresAt ?? null],
    );
    if (rows.length === 0) throw new UnknownUserError(`no user ${userName}`, { user: userName });
    return { ...keyView(rows[0]!), key };
  }

  async listKeys(userName?: string): Promise<ApiKeyView[]> {
    const { rows } = await this.sql.query<KeyRow>(
      `SELECT k.key_id, u.name AS user_name, k.prefix, k.description, k.created_at, k.expires_at, k.revoked_at, k.last_used_at
       FROM security_audit.api_keys k JOIN security_audit.users u USING (user_id)
       WHERE $1::text IS NULL OR u.name = $1 ORDER BY k.created_at, k.key_id`,
      [userName ?? null],
    );
    return rows.map(keyView);
  }

  /** Revokes a key by its id or its prefix (the visible part). */
  async revokeKey(idOrPrefix: string): Promise<ApiKeyView> {
    const { rows } = await this.sql.query<KeyRow>(
      `UPDATE security_audit.api_keys k SET revoked_at = coalesce(k.revoked_at, now())
       FROM security_audit.users u
       WHERE u.user_id = k.user_id AND (k.key_id::text = $1 OR k.prefix = $1)
       RETURNING k.key_id, u.name AS user_name, k.prefix, k.description, k.created_at, k.expires_at, k.revoked_at, k.last_used_at`,
      [idOrPrefix],
    );
    if (rows.length !== 1) throw new UnknownApiKeyError(rows.length === 0 ? `no API key ${idOrPrefix}` : `${idOrPrefix} names several keys: give the key id`, { key: idOrPrefix });
    return keyView(rows[0]!);
  }

  /** The principal of a key that works now (known, not revoked, not expired, its user enabled), or undefined. */
  async principalOf(key: string): Promise<Principal | undefined> {
    const { rows } = await this.sql.query<{ key_id: string; prefix: string; user_id: string; name: string; role: string }>(
      `SELECT k.key_id, k.prefix, u.user_id, u.name, u.role
       FROM security_audit.api_keys k JOIN security_audit.users u USING (user_id)
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.disabled_at IS NULL`,
      [hashApiKey(key)],
    );
    const row = rows[0];
    if (!row || !isRole(row.role)) return undefined;
    return { userId: row.user_id, userName: row.name, role: row.role, keyId: row.key_id, keyPrefix: row.prefix };
  }

  /**
   * On an empty database (no user yet), creates the `admin` user with `key` (or a new one): returns the key
   * installed, or undefined when users exist. Safe when several processes start at once.
   */
  async bootstrapAdmin(key: string = generateApiKey()): Promise<string | undefined> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('olist_dw.security.bootstrap'))`);
      const { rows } = await tx.query<{ n: bigint }>('SELECT count(*) AS n FROM security_audit.users');
      if (Number(rows[0]!.n) > 0) return undefined;
      const userId = randomUUID();
      await tx.query(`INSERT INTO security_audit.users (user_id, name, role) VALUES ($1, 'admin', 'admin')`, [userId]);
      await tx.query(
        `INSERT INTO security_audit.api_keys (key_id, user_id, prefix, key_hash, description) VALUES ($1, $2, $3, $4, 'bootstrap admin key')`,
        [randomUUID(), userId, apiKeyPrefix(key), hashApiKey(key)],
      );
      return key;
    });
  }
}
