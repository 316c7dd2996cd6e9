// Every statement is set-based: one round trip whatever the number of events or streams.

export const APPEND_NOTIFY_CHANNEL = 'event_store_appended';

/**
 * Creates the streams that do not exist yet, directly at their final revision (the batch is rolled back if a
 * check fails later). Inserting in a fixed order keeps concurrent creators from deadlocking; ON CONFLICT waits
 * for an in-flight creator, and a stream it returns is new and row-locked by this transaction.
 * $1 stream ids, $2 final revisions.
 */
export const CREATE_STREAMS = `
INSERT INTO event_store.streams (stream_id, category, revision)
SELECT u.stream_id, split_part(u.stream_id, '-', 1), u.revision
FROM unnest($1::text[], $2::bigint[]) AS u(stream_id, revision)
ORDER BY u.stream_id COLLATE "C"
ON CONFLICT (stream_id) DO NOTHING
RETURNING stream_id`;

/**
 * Locks the existing streams (same order as CREATE_STREAMS) and reads their revisions. Runs in a new statement
 * snapshot, so it sees a stream whose creator committed while CREATE_STREAMS waited. $1 stream ids.
 */
export const LOCK_STREAMS = `
SELECT stream_id, revision
FROM event_store.streams
WHERE stream_id = ANY($1::text[])
ORDER BY stream_id COLLATE "C"
FOR UPDATE`;

/** Already-stored events of the given streams among the given ids. $1 event ids, $2 stream ids. */
export const FIND_STORED_IDS = `
SELECT stream_id, event_id::text AS event_id, revision, transaction_id::text AS transaction_id, global_position
FROM event_store.events
WHERE event_id = ANY($1::uuid[]) AND stream_id = ANY($2::text[])`;

/**
 * Inserts the events and advances the existing streams (conditionally: a backstop to the row locks), returning
 * the transaction id, the counts, and the positions of the (stream, revision) pairs the results need.
 * $1..$6 events (stream, revision, id, type, data json, metadata json); $7..$9 existing streams (id, new
 * revision, previous revision); $10, $11 wanted (stream, revision) pairs.
 */
export function insertEventsSql(notify: boolean): string {
  return `
WITH ins AS (
  INSERT INTO event_store.events (stream_id, revision, category, event_id, event_type, data, metadata)
  SELECT u.stream_id, u.revision, split_part(u.stream_id, '-', 1), u.event_id, u.event_type, u.data::jsonb, u.metadata::jsonb
  FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[])
       WITH ORDINALITY AS u(stream_id, revision, event_id, event_type, data, metadata, ord)
  ORDER BY u.ord
  RETURNING stream_id, revision, global_position
), upd AS (
  UPDATE event_store.streams AS s SET revision = v.revision, updated_at = now()
  FROM unnest($7::text[], $8::bigint[], $9::bigint[]) AS v(stream_id, revision, previous)
  WHERE s.stream_id = v.stream_id AND s.revision = v.previous
  RETURNING 1
), summary AS (
  SELECT pg_current_xact_id()::text AS transaction_id,
         (SELECT count(*) FROM ins) AS inserted,
         (SELECT count(*) FROM upd) AS updated${notify ? `,\n         pg_notify('${APPEND_NOTIFY_CHANNEL}', '')::text AS notified` : ''}
)
SELECT summary.transaction_id, summary.inserted, summary.updated, w.stream_id, w.revision, w.global_position
FROM summary
LEFT JOIN (
  SELECT ins.* FROM ins
  JOIN unnest($10::text[], $11::bigint[]) AS want(stream_id, revision)
    ON want.stream_id = ins.stream_id AND want.revision = ins.revision
) AS w ON true`;
}

/** Positions of (stream, revision) pairs. $1 stream ids, $2 revisions. */
export const FIND_POSITIONS = `
SELECT e.stream_id, e.revision, e.transaction_id::text AS transaction_id, e.global_position
FROM event_store.events e
JOIN unnest($1::text[], $2::bigint[]) AS want(stream_id, revision)
  ON want.stream_id = e.stream_id AND want.revision = e.revision`;

const EVENT_COLUMNS = `transaction_id::text AS transaction_id, global_position, stream_id, revision,
  event_id::text AS event_id, event_type, data, metadata, recorded_at`;

/** $1 stream, $2 inclusive from revision (null: start), $3 limit (null: all). */
export const READ_STREAM_FORWARDS = `
SELECT ${EVENT_COLUMNS} FROM event_store.events
WHERE stream_id = $1 AND revision >= coalesce($2::bigint, 0)
ORDER BY revision LIMIT $3::bigint`;

/** $1 stream, $2 inclusive from revision (null: end), $3 limit (null: all). */
export const READ_STREAM_BACKWARDS = `
SELECT ${EVENT_COLUMNS} FROM event_store.events
WHERE stream_id = $1 AND ($2::bigint IS NULL OR revision <= $2::bigint)
ORDER BY revision DESC LIMIT $3::bigint`;

/** $1 stream ids. */
export const READ_STREAMS = `
SELECT ${EVENT_COLUMNS} FROM event_store.events
WHERE stream_id = ANY($1::text[])
ORDER BY stream_id, revision`;

/**
 * Gap-safe page of the log after ($1 xid8, $2 position), at most $3 events (null: all). Only transactions older
 * than every running one are visible (snapshot xmin); paging is by the whole (transaction_id, global_position)
 * pair. Always returns at least one row, carrying the horizon (the xmin) even when the page is empty.
 */
export const READ_ALL = `
SELECT h.horizon::text AS horizon, e.transaction_id::text AS transaction_id, e.global_position, e.stream_id,
       e.revision, e.event_id::text AS event_id, e.event_type, e.data, e.metadata, e.recorded_at
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) AS h
LEFT JOIN LATERAL (
  SELECT * FROM event_store.events
  WHERE transaction_id < h.horizon
    AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $3::bigint
) AS e ON true
ORDER BY e.transaction_id, e.global_position`;

/** Every transaction id that committed before this statement is below this value. */
export const CURRENT_XMAX = `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`;
