import { randomUUID } from 'node:crypto';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { exportPgLog, importPgLog, PostgresEventStore, type ArchivedEvent, type RecordedEvent } from '../src/index.js';

const readAllEvents = async (store: PostgresEventStore): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for (let page = await store.readAll({ maxCount: 500 }); page.events.length > 0; page = await store.readAll({ after: page.checkpoint, maxCount: 500 })) all.push(...page.events);
  return all;
};

const exportAll = (sql: SqlClient, pageSize: number): Promise<ArchivedEvent[]> =>
  sql.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const archived: ArchivedEvent[] = [];
    const n = await exportPgLog(tx, async (page) => void archived.push(...page), pageSize);
    expect(n).toBe(archived.length);
    return archived;
  });

/**
 * The log a backup keeps (libs/operations backup): every event once, in log order — also when the transaction ids
 * pass a power of ten (as text, "1003" sorts before "999") — and imported into an empty store as it was.
 */
describe('the PostgreSQL log archive (export, import)', () => {
  it('exports every event in log order across transaction ids of more digits, and imports them as they were', async () => {
    const source = await createPgliteClient();
    const store = await PostgresEventStore.create(source, { ownsClient: true });
    const { rows } = await source.query<{ txid: string }>('SELECT pg_current_xact_id()::text AS txid');
    const nextPower = 10 ** String(rows[0]!.txid).length;
    const streams = Array.from({ length: 7 }, () => `test-${randomUUID()}`);
    let txid = Number(rows[0]!.txid);
    for (let i = 0; txid < nextPower + 20; i++) {
      const stream = streams[i % streams.length]!;
      await store.appendToStream(stream, [{ id: randomUUID(), type: 'Happened', data: { i, text: 'ação' }, metadata: { n: i } }]);
      txid = Number((await source.query<{ txid: string }>('SELECT pg_current_xact_id()::text AS txid')).rows[0]!.txid);
    }
    const log = await readAllEvents(store);
    const archived = await exportAll(source, 37);
    expect(archived.map((e) => e.id)).toEqual(log.map((e) => e.id));
    expect(archived[0]).toEqual({
      id: log[0]!.id, streamId: log[0]!.streamId, revision: '0', type: 'Happened', data: { i: 0, text: 'ação' }, metadata: { n: 0 },
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });

    const target = await createPgliteClient();
    const restored = await PostgresEventStore.create(target, { ownsClient: true });
    const pages = (async function* () {
      for (let i = 0; i < archived.length; i += 50) yield archived.slice(i, i + 50);
    })();
    expect(await importPgLog(target, pages)).toBe(log.length);
    const back = await readAllEvents(restored);
    const view = (e: RecordedEvent) => [e.id, e.streamId, e.revision, e.type, e.data, e.metadata, e.recordedAt.toISOString()];
    expect(back.map(view)).toEqual(log.map(view));
    // The streams carry on where they were: the next append to one is at its next revision.
    const last = log.filter((e) => e.streamId === streams[0]).at(-1)!;
    const next = await restored.appendToStream(streams[0]!, [{ id: randomUUID(), type: 'Happened', data: {}, metadata: {} }], { expectedRevision: last.revision });
    expect(next.nextExpectedRevision).toBe(last.revision + 1n);
    await expect(importPgLog(target, (async function* () { yield archived.slice(0, 1); })())).rejects.toThrow(/not empty/);
    await store.close();
    await restored.close();
  }, 120_000);
});
