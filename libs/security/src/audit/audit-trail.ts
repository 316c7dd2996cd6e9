import type { SqlClient } from '@olist/postgres';
import { storableJson } from '@olist/shared-kernel';
import type { Principal } from '../domain/roles.js';
import { redactApiKeys } from '../domain/api-keys.js';

/** One request, as the audit trail keeps it. */
export interface AuditEntry {
  readonly at: string;
  readonly requestId: string | null;
  readonly userName: string | null;
  readonly role: string | null;
  readonly keyPrefix: string | null;
  readonly method: string;
  readonly route: string | null;
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly sql: string | null;
  readonly status: number;
  readonly durationMs: number;
  readonly client: string | null;
}

export interface AuditLogFilter {
  readonly user?: string;
  readonly route?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly limit: number;
  readonly offset: number;
}

/**
 * Every statement on `security_audit.audit_log` runs as the role `olist_dw_audit` (INSERT and SELECT only),
 * with the reader's name and role in the session, so the database itself refuses changes and row-level
 * security decides what a reader sees.
 */
const asAuditRole = <T>(sql: SqlClient, reader: { user: string; role: string }, fn: (tx: SqlClient) => Promise<T>): Promise<T> =>
  sql.transaction(async (tx) => {
    await tx.query('SET LOCAL ROLE olist_dw_audit');
    await tx.query(`SELECT set_config('olist_dw.user', $1, true), set_config('olist_dw.role', $2, true)`, [reader.user, reader.role]);
    return fn(tx);
  });

const MAX_TEXT = 10_000;
const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
const redactParams = (params: Record<string, unknown>): Record<string, unknown> => {
  const text = redactApiKeys(JSON.stringify(params));
  return text.length > MAX_TEXT ? { truncated: clip(text) } : (JSON.parse(text) as Record<string, unknown>);
};

/**
 * The request audit trail: entries are queued as requests end and written in batches off the request path
 * (every `flushMs`, or at `maxBatch` entries), and flushed on shutdown. A write that fails is retried with
 * the next batch; `flush()` resolves once everything queued so far is written.
 */
export class AuditTrail {
  private queue: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly sql: SqlClient,
    private readonly options: {
      readonly flushMs?: number;
      readonly maxBatch?: number;
      readonly onError?: (error: Error) => void;
      /** Releases a connection of the trail's own (AUDIT_DATABASE_URL) once the last entries are written. */
      readonly onClose?: () => Promise<void>;
    } = {},
  ) {}

  record(entry: AuditEntry): void {
    this.queue.push({ ...entry, path: clip(redactApiKeys(entry.path)), params: redactParams(entry.params), sql: entry.sql === null ? null : clip(entry.sql) });
    if (this.queue.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.options.flushMs ?? 200);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.write(batch);
      } catch (error) {
        this.queue.unshift(...batch);
        this.options.onError?.(error as Error);
        if (!this.closed && !this.timer) this.timer = setTimeout(() => void this.flush(), 1_000);
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.options.onClose?.();
  }

  private async write(batch: ReadonlyArray<AuditEntry>): Promise<void> {
    // A request's path, parameters or SQL may hold what PostgreSQL cannot store (a %00 in a URL): such an entry is
    // kept with U+FFFD in its place, never left to fail its batch, and every entry queued behind it, forever.
    const rows = batch.map((e) => storableJson({
      at: e.at, request_id: e.requestId, user_name: e.userName, role: e.role, key_prefix: e.keyPrefix, method: e.method, route: e.route, path: e.path,
      params: e.params, sql: e.sql, status: e.status, duration_ms: e.durationMs, client: e.client,
    }));
    await asAuditRole(this.sql, { user: 'audit-trail', role: 'writer' }, (tx) =>
      tx.query(
        `INSERT INTO security_audit.audit_log (at, request_id, user_name, role, key_prefix, method, route, path, params, sql, status, duration_ms, client)
         SELECT at, request_id, user_name, role, key_prefix, method, route, path, params, sql, status, duration_ms, client
         FROM jsonb_to_recordset($1::jsonb) AS r(at timestamptz, request_id text, user_name text, role text, key_prefix text, method text, route text,
           path text, params jsonb, sql text, status integer, duration_ms double precision, client text)`,
        [JSON.stringify(rows)],
      ),
    );
  }

  /** The entries `reader` may see (row-level security: their own, or all for admins and auditors), newest first. */
  async read(reader: Principal, filter: AuditLogFilter): Promise<{ total: number; entries: Array<Record<string, unknown>> }> {
    return asAuditRole(this.sql, { user: reader.userName, role: reader.role }, async (tx) => {
      const where = `($1::text IS NULL OR user_name = $1) AND ($2::text IS NULL OR route = $2) AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)`;
      const params = [filter.user ?? null, filter.route ?? null, filter.from ?? null, filter.to ?? null];
      const total = (await tx.query<{ n: bigint }>(`SELECT count(*) AS n FROM security_audit.audit_log WHERE ${where}`, params)).rows[0]!.n;
      const { rows } = await tx.query(
        `SELECT entry_id, at, request_id, user_name, role, key_prefix, method, route, path, params, sql, status, duration_ms, client
         FROM security_audit.audit_log WHERE ${where} ORDER BY at DESC, entry_id DESC LIMIT $5 OFFSET $6`,
        [...params, filter.limit, filter.offset],
      );
      return { total: Number(total), entries: rows.map((r) => ({ ...r, entry_id: Number(r.entry_id) })) };
    });
  }
}
