/**
 * Append throughput of the PostgreSQL event store on a server (default: DATABASE_URL, else the local one) or PGlite.
 *   npm run -s build && node dist/libs/event-store/bench/append-throughput.js [--events 200000] [--batch 1000]
 *     [--streams 500] [--writers 1] [--pglite]
 * Creates and drops a scratch database; every batch appends `batch` events over `streams` new streams.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPgClient, createPgliteClient, createTestDatabase, type SqlClient } from '@olist/postgres';
import { PostgresEventStore, type AppendRequest } from '@olist/event-store';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '500' },
    writers: { type: 'string', default: '1' },
    pglite: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const batchSize = Number(values.batch);
const streamsPerBatch = Number(values.streams);
const writers = Number(values.writers);

function batch(): AppendRequest[] {
  const perStream = Math.ceil(batchSize / streamsPerBatch);
  return Array.from({ length: streamsPerBatch }, () => {
    const orderId = randomUUID().replaceAll('-', '');
    return {
      streamId: `order-${orderId}`,
      expectedRevision: 'no_stream' as const,
      events: Array.from({ length: perStream }, (_, i) => ({
        id: randomUUID(),
        type: i === 0 ? 'OrderPlaced' : 'OrderItemAdded',
        data: {
          orderId,
          customerId: randomUUID().replaceAll('-', ''),
          status: 'delivered',
          purchasedAt: '2017-10-02T10:56:33Z',
          item: { productId: randomUUID().replaceAll('-', ''), sellerId: randomUUID().replaceAll('-', ''), price: 2990, freight: 872 },
        },
        metadata: {
          schemaVersion: 1,
          occurredAt: '2017-10-02T10:56:33Z',
          correlationId: 'run-1',
          causationId: randomUUID(),
          actor: 'loader',
          source: { file: 'olist_orders_dataset.csv', line: 1234, hash: 'f3a1c2d4e5b6a7980123456789abcdef' },
        },
      })),
    };
  });
}

async function main(): Promise<void> {
  const database = values.pglite ? undefined : await createTestDatabase('es_bench');
  const client: SqlClient = database ? createPgClient(database.url, { max: writers + 2 }) : await createPgliteClient();
  const store = await PostgresEventStore.create(client, { ownsClient: true });
  try {
    const batches = Math.ceil(total / batchSize);
    const prepared = Array.from({ length: batches }, batch); // build payloads outside the timed section
    let nextBatch = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (nextBatch < prepared.length) await store.appendMany(prepared[nextBatch++]!);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const appended = prepared.reduce((n, b) => n + b.reduce((m, r) => m + r.events.length, 0), 0);
    const dialect = database ? 'pg server' : 'PGlite';
    console.log(
      `${dialect}: ${appended} events in ${batches} appendMany calls (${batchSize} events over ${streamsPerBatch} streams), ` +
        `${writers} writer(s): ${seconds.toFixed(2)} s, ${Math.round(appended / seconds)} events/s`,
    );
  } finally {
    await store.close();
    await database?.drop();
  }
}

await main();
