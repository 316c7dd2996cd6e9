import type { SqlClient } from '@olist/postgres';
import { decodePgCheckpoint, PostgresEventStore } from '../src/index.js';
import { COUNT_AFTER } from '../src/postgres/sql.js';

/**
 * A view of `client` that, before each statement counting the log (`SELECT count(*)`), records the plan PostgreSQL
 * makes for it with the same parameters, in the same transaction and under the same settings.
 */
function recordingCountPlans(client: SqlClient, plans: string[]): SqlClient {
  const recording = (inner: SqlClient): SqlClient['query'] =>
    async (sql, params) => {
      if (/SELECT count\(\*\)/.test(sql)) {
        const { rows } = await inner.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
      }
      return inner.query(sql, params);
    };
  const wrapTx = (tx: SqlClient): SqlClient => ({ ...tx, query: recording(tx), transaction: (fn) => tx.transaction((inner) => fn(wrapTx(inner))) });
  return {
    dialect: client.dialect,
    query: recording(client),
    exec: (sql) => client.exec(sql),
    transaction: (fn) => client.transaction((tx) => fn(wrapTx(tx))),
    listen: client.listen?.bind(client),
    close: () => client.close(),
  };
}

/** The lag count of a metrics scrape costs what the lag costs: it follows the log-order index, never the whole log. */
export function describeLagCountPlan(name: string, connect: () => Promise<{ client: SqlClient; cleanup: () => Promise<void> }>): void {
  describe(`${name}: counting the events after a checkpoint`, () => {
    it('follows the log-order index where the planner would otherwise scan the whole log', async () => {
      const { client, cleanup } = await connect();
      const plans: string[] = [];
      const store = await PostgresEventStore.create(recordingCountPlans(client, plans), { pollIntervalMs: 20 });
      try {
        // A log without statistics yet (as after a large load, before autovacuum analyses it).
        await client.query('ALTER TABLE event_store.events SET (autovacuum_enabled = false)');
        for (let transaction = 0; transaction < 10; transaction++) {
          await client.query(
            `INSERT INTO event_store.events (stream_id, revision, category, event_id, event_type, data, metadata)
             SELECT 'plan-' || $1::int || '-' || i, 0, 'plan', gen_random_uuid(), 'Happened', '{}', '{}'
             FROM generate_series(1, 1000) AS i`,
            [transaction],
          );
        }
        const { checkpoint, events } = await store.readAll({ maxCount: 9_900 });
        expect(events).toHaveLength(9_900);
        const { transactionId, globalPosition } = decodePgCheckpoint(checkpoint!);

        // What the same count is planned as when nothing steers it: the whole log, however small the lag.
        const { rows: bare } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${COUNT_AFTER}`,
          [transactionId.toString(), globalPosition, 1_000_000],
        );
        expect(bare.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Seq Scan on events/);

        expect(await store.countAfter(checkpoint, 1_000_000)).toBe(100);
        expect(await store.countAfter(checkpoint, 10)).toBe(10);
        expect(plans).toHaveLength(2);
        for (const plan of plans) {
          expect(plan).toMatch(/Index (Only )?Scan using events_log_order on events/);
          expect(plan).not.toMatch(/Seq Scan|Bitmap/);
        }
      } finally {
        await store.close();
        await cleanup();
      }
    });
  });
}
