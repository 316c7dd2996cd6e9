import type { SqlClient } from '@olist/postgres';

export const EVENT_STORE_SCHEMA_VERSION = 1;

// Idempotent DDL, PG >= 13 (xid8, pg_current_xact_id). No FK from events to streams: the store is the only
// writer and an FK lookup per event would tax the hot path.
const DDL = `
CREATE SCHEMA IF NOT EXISTS event_store;

CREATE TABLE IF NOT EXISTS event_store.schema_version (
  version    integer     PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS event_store.streams (
  stream_id  text        COLLATE "C" PRIMARY KEY, -- identifiers: byte order, no locale-aware comparisons
  category   text        NOT NULL,
  revision   bigint      NOT NULL, -- revision of the stream's last event (0-based)
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS event_store.events (
  global_position bigint      GENERATED ALWAYS AS IDENTITY,
  transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text        COLLATE "C" NOT NULL,
  revision        bigint      NOT NULL,
  category        text        NOT NULL, -- stream id up to the first '-'
  event_id        uuid        NOT NULL,
  event_type      text        NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_pkey PRIMARY KEY (stream_id, revision)
);

-- Log order: readAll pages by the whole (transaction_id, global_position) pair.
CREATE UNIQUE INDEX IF NOT EXISTS events_log_order ON event_store.events (transaction_id, global_position);
-- Idempotency look-ups by event id.
CREATE INDEX IF NOT EXISTS events_event_id ON event_store.events (event_id);
`;

/** Creates or checks the `event_store` schema; safe to call concurrently and repeatedly. */
export async function migrateEventStore(client: SqlClient): Promise<void> {
  await client.transaction(async (tx) => {
    // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogs: serialise migrations.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('event_store.migrate'))`);
    const table = await tx.query<{ exists: boolean }>(
      `SELECT to_regclass('event_store.schema_version') IS NOT NULL AS exists`,
    );
    const version = table.rows[0]?.exists
      ? ((await tx.query<{ version: number | null }>(`SELECT max(version) AS version FROM event_store.schema_version`))
          .rows[0]?.version ?? null)
      : null;
    if (version !== null && version > EVENT_STORE_SCHEMA_VERSION) {
      throw new Error(`event_store schema version ${version} is newer than this code (${EVENT_STORE_SCHEMA_VERSION})`);
    }
    for (const statement of DDL.split(';').map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
    await tx.query(`INSERT INTO event_store.schema_version (version) VALUES ($1) ON CONFLICT DO NOTHING`, [
      EVENT_STORE_SCHEMA_VERSION,
    ]);
  });
}
