import { createPgliteClient } from '@olist/postgres';
import { PostgresEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('PostgreSQL adapter on PGlite (in memory)', async () => {
  const client = await createPgliteClient();
  const store = await PostgresEventStore.create(client, { pollIntervalMs: 20, ownsClient: true });
  return { store, cleanup: () => store.close() };
});
