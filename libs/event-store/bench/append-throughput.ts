/**
 * Append throughput of the PostgreSQL event store on a server (default: DATABASE_URL, else the local one) or PGlite.
 *   npm run -s build && node dist/libs/event-store/bench/append-throughput.js [--events 200000] [--batch 1000]
 *     [--streams 500] [--writers 1] [--pglite] [--no-notify]
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
    'no-notify': { type: 'boolean', default: false },
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
  const store = await PostgresEventStore.create(client, { ownsClient: true, notify: !values['no-notify'] });
  try {
    const batches = Math.ceil(total / batchSize);
    let started = 0;
    let appended = 0;
    let busyNs = 0n; // time inside appendMany (meaningful with one writer)
    const wallStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (started < batches) {
          started++;
          const requests = batch(); // built just in time: retaining every batch would make the GC dominate
          const t = process.hrtime.bigint();
          await store.appendMany(requests);
          busyNs += process.hrtime.bigint() - t;
          appended += requests.reduce((n, r) => n + r.events.length, 0);
        }
      }),
    );
    const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
    const busy = Number(busyNs) / 1e9;
    const dialect = database ? 'pg server' : 'PGlite';
    console.log(
      `${dialect}: ${appended} events in ${batches} appendMany calls (${batchSize} events over ${streamsPerBatch} streams), ` +
        `${writers} writer(s)${values['no-notify'] ? ', no NOTIFY' : ''}: ` +
        `${Math.round(appended / wall)} events/s wall clock (${wall.toFixed(2)} s, event generation included)` +
        (writers === 1 ? `, ${Math.round(appended / busy)} events/s inside appendMany` : ''),
    );
  } finally {
    await store.close();
    await database?.drop();
  }
}

await main();
