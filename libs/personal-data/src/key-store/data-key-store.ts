import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlClient } from '@olist/postgres';
import { hashKeyOf } from '../crypto/field-cipher.js';

/**
 * The keys among the ids $1, one index probe each: the planner's choice for `key_id = ANY($1)` depends on table
 * statistics, and without them (autovacuum off) it scanned the whole table for every batch.
 */
const BY_KEY_ID = `unnest($1::text[]) AS want(key_id)
  CROSS JOIN LATERAL (SELECT * FROM security_audit.data_keys WHERE key_id = want.key_id OFFSET 0) AS k`;

/**
 * `e.erased` is 1 when the person `r.subject_id` was erased: one probe per row of the index of erased people. A join
 * with every erased subject instead scanned the whole table per batch: 82 ms a batch at 1M keys (the 10× customers
 * file); probing the index of all subjects, 35 ms; this one, under 1 ms.
 */
const ERASED_SUBJECT = `LEFT JOIN LATERAL (
  SELECT 1 AS erased FROM security_audit.data_keys WHERE subject_id = r.subject_id AND erased_at IS NOT NULL LIMIT 1
) AS e ON true`;

/** One data key, usable: to seal and open fields, and to hash a row's personal values. */
export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
  readonly hashKey: Buffer;
}

/** A key's state: usable, or erased (its material is gone for good). */
export type KeyState = DataKey | 'erased';

/** The keys one batch or one page of events needs, fetched together: nothing is cached beyond it. */
export class KeyRing {
  constructor(private readonly keys: ReadonlyMap<string, KeyState>) {}

  static readonly EMPTY = new KeyRing(new Map());

  /** undefined: no such key (never made). */
  get(keyId: string): KeyState | undefined {
    return this.keys.get(keyId);
  }

  get size(): number {
    return this.keys.size;
  }
}

export class WrongMasterKeyError extends Error {
  constructor() {
    super('the master key does not match the one this database\'s data keys were made with (OLIST_DW_MASTER_KEY or the master key file)');
    this.name = 'WrongMasterKeyError';
  }
}

/**
 * The key store's tables (idempotent DDL, its own like the event store's, not a read-model migration: the keys
 * are not derived data, and reverting or rebuilding the read models must never drop them).
 */
const DDL = [
  `CREATE SCHEMA IF NOT EXISTS security_audit`,
  // key_id: a customer id (the person holds one per order). subject_id: the person, once known (a review's key can
  // be made before its customer's row arrives). wrapped_key: base64(iv || ciphertext || tag) under the master key,
  // NULL once erased — the row stays as a tombstone.
  `CREATE TABLE IF NOT EXISTS security_audit.data_keys (
     key_id      text PRIMARY KEY,
     subject_id  text,
     wrapped_key text,
     created_at  timestamptz NOT NULL DEFAULT now(),
     erased_at   timestamptz,
     CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
   )`,
  `CREATE INDEX IF NOT EXISTS data_keys_subject ON security_audit.data_keys (subject_id)`,
  // The erased people alone (few): whether a key's person was erased is then a probe of a small index.
  `CREATE INDEX IF NOT EXISTS data_keys_erased_subject ON security_audit.data_keys (subject_id) WHERE erased_at IS NOT NULL`,
  // One row: an HMAC of a constant under the master key, to refuse a wrong master key at start.
  `CREATE TABLE IF NOT EXISTS security_audit.master_key_check (
     id          integer PRIMARY KEY CHECK (id = 1),
     check_value text NOT NULL
   )`,
];

/** Creates the key store's tables if missing; safe to call concurrently and repeatedly. */
export const migrateDataKeyStore = (sql: SqlClient): Promise<void> =>
  sql.transaction(async (tx) => {
    // Concurrent CREATE … IF NOT EXISTS can still collide in the catalogs: serialise.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('security_audit.data_keys.migrate'))`);
    for (const statement of DDL) await tx.query(statement);
  });

const WRAP_IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_LABEL = 'olist-dw master key check';

interface KeyRow {
  readonly key_id: string;
  readonly wrapped_key: string | null;
}

/**
 * The data keys in PostgreSQL (`security_audit.data_keys`), each wrapped by the master key (AES-256-GCM, the key
 * id as additional data). Erasing deletes a key's material and keeps its row as a tombstone: a key of an erased
 * person is never made again, so what is re-posted for them is stored erased.
 */
export class DataKeyStore {
  private constructor(
    private readonly sql: SqlClient,
    private readonly master: Buffer,
  ) {}

  /** The key store on `sql` (`security_audit.data_keys`, made if missing), refusing a master key other than the first one used. */
  static async open(sql: SqlClient, master: Buffer): Promise<DataKeyStore> {
    await migrateDataKeyStore(sql);
    const check = createHmac('sha256', master).update(CHECK_LABEL).digest('base64');
    await sql.query(`INSERT INTO security_audit.master_key_check (id, check_value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [check]);
    const { rows } = await sql.query<{ check_value: string }>(`SELECT check_value FROM security_audit.master_key_check WHERE id = 1`);
    const stored = Buffer.from(rows[0]!.check_value, 'base64');
    const mine = Buffer.from(check, 'base64');
    if (stored.length !== mine.length || !timingSafeEqual(stored, mine)) throw new WrongMasterKeyError();
    return new DataKeyStore(sql, master);
  }

  /** The keys among `keyIds` that exist (usable or erased). */
  async ring(keyIds: Iterable<string>): Promise<KeyRing> {
    const ids = [...new Set(keyIds)];
    if (ids.length === 0) return KeyRing.EMPTY;
    const { rows } = await this.sql.query<KeyRow>(`SELECT k.key_id, k.wrapped_key FROM ${BY_KEY_ID}`, [ids]);
    return new KeyRing(new Map(rows.map((r) => [r.key_id, this.unwrapRow(r)])));
  }

  /**
   * The keys of `wanted`, made where missing. A subject given for a key links it to that person (a key made for
   * a review before its customer's row arrived has none yet); a key of a person already erased is made erased.
   */
  async ensure(wanted: ReadonlyArray<{ readonly keyId: string; readonly subjectId?: string }>): Promise<KeyRing> {
    if (wanted.length === 0) return KeyRing.EMPTY;
    const subjects = new Map<string, string | null>();
    for (const w of wanted) if (!subjects.has(w.keyId) || w.subjectId) subjects.set(w.keyId, w.subjectId ?? null);
    const input = JSON.stringify([...subjects].map(([key_id, subject_id]) => ({ key_id, subject_id })));
    const known = await this.sql.query<KeyRow & { subject_id: string | null }>(
      `SELECT k.key_id, k.wrapped_key, k.subject_id FROM ${BY_KEY_ID}`,
      [[...subjects.keys()]],
    );
    const found = new Map(known.rows.map((r) => [r.key_id, r]));
    const missing = [...subjects].filter(([keyId]) => !found.has(keyId));
    const unlinked = [...subjects].filter(([keyId, subject]) => subject !== null && found.get(keyId)?.subject_id === null);
    if (missing.length === 0 && unlinked.length === 0) return new KeyRing(new Map(known.rows.map((r) => [r.key_id, this.unwrapRow(r)])));

    const made = missing.map(([key_id, subject_id]) => ({ key_id, subject_id, wrapped_key: this.wrap(key_id, randomBytes(32)) }));
    await this.sql.transaction(async (tx) => {
      if (made.length > 0) {
        await tx.query(
          `INSERT INTO security_audit.data_keys (key_id, subject_id, wrapped_key, erased_at)
           SELECT r.key_id, r.subject_id,
                  CASE WHEN e.erased IS NULL THEN r.wrapped_key END,
                  CASE WHEN e.erased IS NOT NULL THEN now() END
           FROM jsonb_to_recordset($1::jsonb) AS r(key_id text, subject_id text, wrapped_key text)
           ${ERASED_SUBJECT}
           ON CONFLICT (key_id) DO NOTHING`,
          [JSON.stringify(made)],
        );
      }
      // Link keys made before their person was known; a key that turns out to be an erased person's is erased now.
      await tx.query(
        `UPDATE security_audit.data_keys k SET subject_id = r.subject_id,
                wrapped_key = CASE WHEN e.erased IS NULL THEN k.wrapped_key END,
                erased_at = CASE WHEN e.erased IS NULL THEN k.erased_at ELSE COALESCE(k.erased_at, now()) END
         FROM jsonb_to_recordset($1::jsonb) AS r(key_id text, subject_id text)
         ${ERASED_SUBJECT}
         WHERE k.key_id = r.key_id AND k.subject_id IS NULL AND r.subject_id IS NOT NULL`,
        [input],
      );
    });
    return this.ring(subjects.keys());
  }

  /** The keys linked to a person. */
  async keyIdsOf(subjectId: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ key_id: string }>(`SELECT key_id FROM security_audit.data_keys WHERE subject_id = $1 ORDER BY key_id`, [subjectId]);
    return rows.map((r) => r.key_id);
  }

  /** Whether a person was erased. */
  async isErased(subjectId: string): Promise<boolean> {
    const { rows } = await this.sql.query(`SELECT 1 FROM security_audit.data_keys WHERE subject_id = $1 AND erased_at IS NOT NULL LIMIT 1`, [subjectId]);
    return rows.length > 0;
  }

  /**
   * Deletes the material of the person's keys (`keyIds` and any linked to them), keeping tombstones; returns how
   * many keys were erased now. Then vacuums the table so the deleted material leaves its pages (see the docs for
   * what PostgreSQL's WAL and backups keep).
   */
  erase(subjectId: string, keyIds: ReadonlyArray<string>): Promise<number> {
    return this.eraseAll([{ subjectId, keyIds }]);
  }

  /** Erases again, from the log's erasures, any key a restored key-store backup brought back; returns how many. */
  reconcile(erasures: ReadonlyArray<{ readonly subjectId: string; readonly keyIds: ReadonlyArray<string> }>): Promise<number> {
    return this.eraseAll(erasures);
  }

  private async eraseAll(erasures: ReadonlyArray<{ readonly subjectId: string; readonly keyIds: ReadonlyArray<string> }>): Promise<number> {
    if (erasures.length === 0) return 0;
    const keys = JSON.stringify(erasures.flatMap((e) => e.keyIds.map((key_id) => ({ key_id, subject_id: e.subjectId }))));
    const subjects = erasures.map((e) => e.subjectId);
    const changed = await this.sql.transaction(async (tx) => {
      const tombstones = await tx.query(
        `INSERT INTO security_audit.data_keys (key_id, subject_id, wrapped_key, erased_at)
         SELECT r.key_id, r.subject_id, NULL, now() FROM jsonb_to_recordset($1::jsonb) AS r(key_id text, subject_id text)
         ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
        [keys],
      );
      const { rows } = await tx.query(
        `UPDATE security_audit.data_keys k SET subject_id = COALESCE(k.subject_id, r.subject_id), wrapped_key = NULL, erased_at = COALESCE(k.erased_at, now())
         FROM jsonb_to_recordset($1::jsonb) AS r(key_id text, subject_id text)
         WHERE k.key_id = r.key_id AND (k.erased_at IS NULL OR k.subject_id IS NULL)
         RETURNING k.key_id`,
        [keys],
      );
      const linked = await tx.query(
        `UPDATE security_audit.data_keys SET wrapped_key = NULL, erased_at = now()
         WHERE subject_id = ANY($1::text[]) AND erased_at IS NULL RETURNING key_id`,
        [subjects],
      );
      return tombstones.rows.length + rows.length + linked.rows.length;
    });
    if (changed > 0) await this.vacuum();
    return changed;
  }

  private async vacuum(): Promise<void> {
    try {
      await this.sql.query('VACUUM security_audit.data_keys');
    } catch {
      // Not the table's owner (a narrower role): autovacuum reclaims the pages later.
    }
  }

  private wrap(keyId: string, key: Buffer): string {
    const iv = randomBytes(WRAP_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv);
    cipher.setAAD(Buffer.from(`olist-dw data key\u001f${keyId}`, 'utf8'));
    return Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]).toString('base64');
  }

  private unwrapRow(row: KeyRow): KeyState {
    if (row.wrapped_key === null) return 'erased';
    const wrapped = Buffer.from(row.wrapped_key, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.master, wrapped.subarray(0, WRAP_IV_BYTES));
    decipher.setAAD(Buffer.from(`olist-dw data key\u001f${row.key_id}`, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    const key = Buffer.concat([decipher.update(wrapped.subarray(WRAP_IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    let hashKey: Buffer | undefined;
    // Derived on first use: only the command side hashes rows; every read path only opens fields.
    return { keyId: row.key_id, key, get hashKey() { return (hashKey ??= hashKeyOf(key)); } };
  }
}
