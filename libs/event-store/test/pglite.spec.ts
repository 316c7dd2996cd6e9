import { createPgliteClient } from '@olist/postgres';
import { PostgresEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { describeLagCountPlan } from './lag-count-plan.js';

describeEventStoreContract('PostgreSQL adapter on PGlite (in memory)', async () => {
  const client = await createPgliteClient();
  const store = await PostgresEventStore.create(client, { pollIntervalMs: 20, ownsClient: true });
  return { store, cleanup: () => store.close() };
});

// Every append touching more than one stream takes the store-wide lock instead of per-stream locks.
describeEventStoreContract('PostgreSQL adapter on PGlite, store-wide append lock', async () => {
  const client = await createPgliteClient();
  const store = await PostgresEventStore.create(client, { pollIntervalMs: 20, ownsClient: true, maxStreamLocks: 1 });
  return { store, cleanup: () => store.close() };
});

describeLagCountPlan('PostgreSQL adapter on PGlite', async () => {
  const client = await createPgliteClient();
  return { client, cleanup: () => client.close() };
});
