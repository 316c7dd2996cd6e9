import { createTestDatabase } from '@olist/postgres';
import { describeGeneratedLoad } from '../support/generated-load.suite.js';

// Server mode: the event store on the PostgreSQL server (a fresh database), same checks as embedded.
describeGeneratedLoad('server, PostgreSQL', async () => {
  const db = await createTestDatabase('olist_dw_e2e');
  return { env: { DATABASE_URL: db.url, PROJECTOR: 'in-process' }, cleanup: () => db.drop() };
});
