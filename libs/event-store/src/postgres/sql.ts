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

/**
 * Current revisions of the existing streams among $1, read after their locks were granted. The look-ups of a batch
 * are one index probe per key (`LATERAL (… OFFSET 0)` is never flattened into a join): with `= ANY($1)` the planner
 * chose sequential scans of the whole table for large batches, e.g. 370 ms for 1,000 event ids in 700k events.
 */
export const READ_REVISIONS = `
SELECT s.stream_id, s.revision
FROM unnest($1::text[]) AS u(stream_id)
CROSS JOIN LATERAL (SELECT stream_id, revision FROM event_store.streams WHERE stream_id = u.stream_id OFFSET 0) AS s`;

/** Already-stored events among (event id, stream) pairs. $1 event ids, $2 their streams. */
export const FIND_STORED_IDS = `
SELECT e.stream_id, e.event_id::text AS event_id, e.revision, e.transaction_id::text AS transaction_id, e.global_position
FROM unnest($1::uuid[], $2::text[]) AS want(event_id, stream_id)
CROSS JOIN LATERAL (
  SELECT stream_id, event_id, revision, transaction_id, global_position FROM event_store.events
  WHERE event_id = want.event_id AND stream_id = want.stream_id OFFSET 0
) AS e`;

/**
 * Creates the new streams (a concurrent creator, impossible under the stream locks, would fail the primary key),
 * advances the existing ones (conditionally: a backstop to the locks), inserts the events, and returns one row:
 * the transaction id, the count of streams written, and the events' global positions in insertion order (one
 * comma-separated text: positions increase in insertion order within the statement).
 * $1 the events as one JSON array of [stream, revision, id, type, data, metadata] arrays: one native JSON.stringify,
 * parsed once as jsonb. Measured against the alternatives: array binds (unnest of text[], uuid[], jsonb[]…) take
 * 40% longer (escaped array literals, then every data/metadata parsed from text), and an array of objects read by
 * jsonb_to_recordset 20% more server time (keys to parse, sort and look up).
 * $2, $3 new streams (id, revision); $4..$6 existing streams (id, revision, previous revision), found by one index
 * probe each, like the reads (the ctid join keeps the planner from hashing the whole streams table).
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
  CROSS JOIN LATERAL (SELECT ctid FROM event_store.streams WHERE stream_id = v.stream_id OFFSET 0) AS found
  WHERE s.ctid = found.ctid AND s.revision = v.previous
  RETURNING 1
), inserted AS (
  INSERT INTO event_store.events (stream_id, revision, category, event_id, event_type, data, metadata)
  SELECT u.e->>0, (u.e->>1)::bigint, split_part(u.e->>0, '-', 1), (u.e->>2)::uuid, u.e->>3, u.e->4, u.e->5
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS u(e, ord)
  ORDER BY u.ord
  RETURNING global_position
)
SELECT pg_current_xact_id()::text AS transaction_id,
       (SELECT count(*) FROM created) + (SELECT count(*) FROM updated) AS streams,
       (SELECT string_agg(global_position::text, ',' ORDER BY global_position) FROM inserted) AS positions${notify ? `,
       pg_notify('${APPEND_NOTIFY_CHANNEL}', '')::text AS notified` : ''}`;
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

/**
 * $1 stream ids. One index probe per stream (see READ_REVISIONS): without statistics (a server whose autovacuum
 * is off never analyzes the table) the planner took `stream_id = ANY($1)` for a parallel scan of the whole log,
 * 1–2 s per batch at 6.8M events.
 */
export const READ_STREAMS = `
SELECT e.* FROM unnest($1::text[]) AS u(stream_id)
CROSS JOIN LATERAL (
  SELECT ${EVENT_COLUMNS} FROM event_store.events WHERE stream_id = u.stream_id ORDER BY revision OFFSET 0
) AS e
ORDER BY e.stream_id, e.revision`;

/**
 * The events after ($1 xid8, $2 position), counted up to $3. Run after {@link COUNT_AFTER_PLAN} in the same
 * transaction: left to its statistics, PostgreSQL may plan a sequential scan of the whole log however few events
 * follow the checkpoint, and a metrics scrape that counts every projection's lag would read the log each time.
 */
export const COUNT_AFTER_PLAN = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`;

export const COUNT_AFTER = `
SELECT count(*)::int AS n FROM (
  SELECT 1 FROM event_store.events
  WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
  LIMIT $3::bigint
) AS e`;

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
