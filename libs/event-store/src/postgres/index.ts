export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { encodePgCheckpoint, decodePgCheckpoint, PG_START_CHECKPOINT, type PgLogPosition } from './checkpoint.js';
export { migrateEventStore, EVENT_STORE_SCHEMA_VERSION } from './schema.js';
export { APPEND_NOTIFY_CHANNEL } from './sql.js';
export { exportPgLog, importPgLog, type ArchivedEvent } from './log-archive.js';
