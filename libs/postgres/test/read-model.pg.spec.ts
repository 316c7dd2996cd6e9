import { createPgClient, createTestDatabase, SqlReadModelProjection, tableContent, type ProjectedEvent, type ReadModelHandler, type SqlClient, type TestDatabase } from '../src/index.js';

const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS read_models;
  CREATE TABLE IF NOT EXISTS read_models.checkpoints (projection text PRIMARY KEY, checkpoint text NOT NULL, events_projected bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
  CREATE SCHEMA IF NOT EXISTS ledger;
  CREATE TABLE IF NOT EXISTS ledger.entries (event_id text NOT NULL, amount integer NOT NULL);`;

/** A deliberately non-idempotent handler (plain INSERT, no key), slow enough for two writers to overlap. */
const ledger: ReadModelHandler = {
  eventTypes: new Set(['Credited']),
  async apply(tx, events) {
    await tx.query('SELECT pg_sleep(0.2)');
    for (const e of events) await tx.query('INSERT INTO ledger.entries VALUES ($1, $2)', [e.id, (e.data as { amount: number }).amount]);
  },
};

const events: ProjectedEvent[] = [1, 2, 3].map((n) => ({
  id: `e${n}`, type: 'Credited', streamId: 'account-1', data: { amount: n }, metadata: {}, recordedAt: new Date(0),
}));

describe('SqlReadModelProjection on the server', () => {
  let db: TestDatabase;
  let a: SqlClient;
  let b: SqlClient;

  beforeAll(async () => {
    db = await createTestDatabase('read_model');
    a = createPgClient(db.url, { max: 2 });
    b = createPgClient(db.url, { max: 2 });
    await a.exec(SCHEMA);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('applies a batch once when two writers race on the very first checkpoint', async () => {
    const projection = (client: SqlClient) => new SqlReadModelProjection('ledger', client, [ledger], async () => undefined);
    await Promise.all([projection(a).apply(events, '0003'), projection(b).apply(events, '0003')]);
    const { rows } = await a.query<{ n: bigint; total: bigint }>('SELECT count(*) AS n, sum(amount) AS total FROM ledger.entries');
    expect(rows[0]).toEqual({ n: 3n, total: 6n });
    expect(await projection(a).eventsProjected()).toBe(3);
    // Then a later batch goes through, and a replay of the first changes nothing.
    await projection(b).apply([{ ...events[0]!, id: 'e4' }], '0004');
    await projection(a).apply(events, '0003');
    expect((await tableContent(a, 'ledger.entries')).rows).toBe(4);
  });
});
