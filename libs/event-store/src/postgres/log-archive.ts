import type { SqlClient } from '@olist/postgres';

/**
 * One event of the log as a backup keeps it: as stored (personal fields still sealed, the schema version it was
 * written in), with the time the store recorded it. Its position is not kept: a restored log gets positions of
 * its own store, in the same order.
 */
export interface ArchivedEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based, as a decimal string (bigint). */
  readonly revision: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  /** ISO-8601, microseconds kept. */
  readonly recordedAt: string;
}

interface ArchiveRow {
  event_id: string;
  stream_id: string;
  revision: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: string;
}

/**
 * The whole log in log order, page by page (each handed to `onPage` before the next is read). `tx` must be a
 * REPEATABLE READ transaction: the pages are then of one snapshot, so a backup of a store that keeps being appended
 * to is the log as of one instant, with nothing in flight half in it. Resolves with the number of events.
 */
export const exportPgLog = async (tx: SqlClient, onPage: (page: ReadonlyArray<ArchivedEvent>) => Promise<void>, pageSize = 5_000): Promise<number> => {
  let after: [string, string] = ['0', '0'];
  let exported = 0;
  for (;;) {
    const { rows } = await tx.query<ArchiveRow & { transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position, event_id::text AS event_id, stream_id,
              revision::text AS revision, event_type, data, metadata,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at
       FROM event_store.events AS e
       WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
       ORDER BY e.transaction_id, e.global_position -- qualified: the output columns of these names are text
       LIMIT $3`,
      [after[0], after[1], pageSize],
    );
    if (rows.length === 0) return exported;
    const last = rows[rows.length - 1]!;
    after = [last.transaction_id, last.global_position];
    exported += rows.length;
    await onPage(rows.map((r) => ({
      id: r.event_id, streamId: r.stream_id, revision: r.revision, type: r.event_type, data: r.data, metadata: r.metadata ?? {}, recordedAt: r.recorded_at,
    })));
  }
};

/**
 * Appends archived events to an EMPTY log, in the order given (the archive's log order), one transaction per
 * page: each event keeps its id, stream, revision, type, data, metadata and recorded time; the streams table is
 * made from them. Refuses a store that already holds events.
 */
export const importPgLog = async (sql: SqlClient, pages: AsyncIterable<ReadonlyArray<ArchivedEvent>>): Promise<number> => {
  const { rows } = await sql.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM event_store.events) AS any');
  if (rows[0]!.any) throw new Error('the event store is not empty: a backup is restored into an empty store only');
  let imported = 0;
  for await (const page of pages) {
    if (page.length === 0) continue;
    await sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO event_store.events (stream_id, revision, category, event_id, event_type, data, metadata, recorded_at)
         SELECT e.stream_id, e.revision, split_part(e.stream_id, '-', 1), e.event_id, e.event_type, e.data, e.metadata, e.recorded_at
         FROM jsonb_to_recordset($1::jsonb) AS e(stream_id text, revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb, recorded_at timestamptz, n int)
         ORDER BY e.n`,
        [JSON.stringify(page.map((e, n) => ({
          stream_id: e.streamId, revision: e.revision, event_id: e.id, event_type: e.type, data: e.data, metadata: e.metadata, recorded_at: e.recordedAt, n,
        })))],
      );
      await tx.query(
        `INSERT INTO event_store.streams (stream_id, category, revision, created_at, updated_at)
         SELECT stream_id, split_part(stream_id, '-', 1), max(revision), min(recorded_at), max(recorded_at)
         FROM jsonb_to_recordset($1::jsonb) AS e(stream_id text, revision bigint, recorded_at timestamptz)
         GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET revision = greatest(event_store.streams.revision, EXCLUDED.revision), updated_at = EXCLUDED.updated_at`,
        [JSON.stringify(page.map((e) => ({ stream_id: e.streamId, revision: e.revision, recorded_at: e.recordedAt })))],
      );
    });
    imported += page.length;
  }
  return imported;
};
