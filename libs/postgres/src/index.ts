export * from './sql-client.js';
export { TransactionClient } from './transaction-client.js';
export { PgSqlClient, createPgClient, SESSION_OPTIONS, type PgClientOptions } from './pg-client.js';
export { PgliteSqlClient, createPgliteClient, type PgliteClientOptions } from './pglite-client.js';
export { createTestDatabase, DEFAULT_DATABASE_URL, type TestDatabase } from './test-database.js';
export { migrateUp, migrateDown } from './migrations.js';
export { SqlReadModelProjection, type ReadModelHandler, type ProjectedEvent, type PostgresReadModels } from './read-model.js';
export { tableContent, tableContents, tablesInSchemas, type TableContent } from './content-hash.js';
export { isConnectionFailure } from './connection-failure.js';
