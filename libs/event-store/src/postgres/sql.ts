// Every statement is set-based: one round trip whatever the number of events or streams.

export const APPEND_NOTIFY_CHANNEL = 'event_store_appended';

/** The smallest int8 key sorts first; a stream id hashing to it merely shares the global key. */
const GLOBAL_LOCK_KEY = '(-9223372036854775808)::bigint';

/**
 * Transaction-scoped advisory locks, taken first, before the transaction has a transaction id (advisory locks,
 * unlike row locks and inserts, do not assign one). A writer that waits for a stream therefore gets its id after
 * the previous writer of that stream committed, so a stream's later revisions always sort after its earlier ones
 * in (transaction_id, global_position) order. Row locks would not do: a transaction holding an id while it waits
 * would write later revisions under a smaller id.
 *
 * Every append holds the global key shared plus one exclusive key per stream (a 64-bit hash: a collision only
 * serialises two streams), in key order so that writers cannot deadlock. $1 stream ids.
 */
export const LOCK_STREAMS = `
SELECT CASE WHEN k.key = ${GLOBAL_LOCK_KEY} THEN pg_advisory_xact_lock_shared(k.key) ELSE pg_advisory_xact_lock(k.key) END
FROM (
  SELECT DISTINCT key FROM (
    SELECT ${GLOBAL_LOCK_KEY}::bigint AS key
    UNION ALL
    SELECT hashtextextended(stream_id, 0) FROM unnest($1::text[]) AS u(stream_id)
  ) AS keys
  ORDER BY key
) AS k`;

/**
 * Appends touching more streams than the lock table should hold per transaction take the global key alone,
 * exclusively: they wait for, and then exclude, every other append.
 */
export const LOCK_ALL_STREAMS = `SELECT pg_advisory_xact_lock(${GLOBAL_LOCK_KEY})`;

/** Current revisions of the existing streams among $1, read after their locks were granted. */
export const READ_REVISIONS = `
SELECT stream_id, revision FROM event_store.streams WHERE stream_id = ANY($1::text[])`;

/** Already-stored events of the given streams among the given ids. $1 event ids, $2 stream ids. */
export const FIND_STORED_IDS = `
SELECT stream_id, event_id::text AS event_id, revision, transaction_id::text AS transaction_id, global_position
FROM event_store.events
WHERE event_id = ANY($1::uuid[]) AND stream_id = ANY($2::text[])`;

/**
 * Creates the new streams (a concurrent creator, impossible under the stream locks, would fail the primary key),
 * advances the existing ones (conditionally: a backstop to the locks), inserts the events, and returns the
 * transaction id, the counts, and the positions of the (stream, revision) pairs the results need.
 * $1 the events as one JSON array of {s: stream, r: revision, i: id, t: type, d: data, m: metadata}: one native
 * JSON.stringify instead of escaping six text arrays, parsed once as jsonb (json_to_recordset would parse every
 * data/metadata value a second time; measured 40% slower). $2, $3 new streams (id, revision); $4..$6 existing
 * streams (id, revision, previous revision); $7, $8 wanted (stream, revision) pairs.
 */
export function writeSql(notify: boolean): string {
  return `
WITH created AS (
  INSERT INTO event_store.streams (stream_id, category, revision)
  SELECT n.stream_id, split_part(n.stream_id, '-', 1), n.revision
  FROM unnest($2::text[], $3::bigint[]) AS n(stream_id, revision)
  RETURNING 1
), updated AS (
  UPDATE event_store.streams AS s SET revision = v.revision, updated_at = now()
  FROM unnest($4::text[], $5::bigint[], $6::bigint[]) AS v(stream_id, revision, previous)
  WHERE s.stream_id = v.stream_id AND s.revision = v.previous
  RETURNING 1
), inserted AS (
  INSERT INTO event_store.events (stream_id, revision, category, event_id, event_type, data, metadata)
  SELECT u.s, u.r, split_part(u.s, '-', 1), u.i, u.t, coalesce(u.d, 'null'), coalesce(u.m, '{}')
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (s text, r bigint, i uuid, t text, d jsonb, m jsonb))
       WITH ORDINALITY AS u(s, r, i, t, d, m, ord)
  ORDER BY u.ord
  RETURNING stream_id, revision, global_position
), summary AS (
  SELECT pg_current_xact_id()::text AS transaction_id,
         (SELECT count(*) FROM inserted) AS inserted,
         (SELECT count(*) FROM created) + (SELECT count(*) FROM updated) AS streams${notify ? `,
         pg_notify('${APPEND_NOTIFY_CHANNEL}', '')::text AS notified` : ''}
)
SELECT summary.transaction_id, summary.inserted, summary.streams, w.stream_id, w.revision, w.global_position
FROM summary
LEFT JOIN (
  SELECT inserted.* FROM inserted
  JOIN unnest($7::text[], $8::bigint[]) AS want(stream_id, revision)
    ON want.stream_id = inserted.stream_id AND want.revision = inserted.revision
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
