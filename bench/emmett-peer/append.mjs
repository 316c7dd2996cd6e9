// Appends the events of an NDJSON events file (libs/event-store/bench/events-file.ts) to Emmett's PostgreSQL
// event store and prints one JSON line: { events, seconds, eventsPerSecond, appends }.
//   node bench/emmett-peer/append.mjs --events FILE --url postgres://postgres@127.0.0.1:5432/DB [--in-flight 8]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    url: { type: 'string' },
    'in-flight': { type: 'string', default: '8' },
  },
});
if (!values.events || !values.url) {
  console.error('usage: node append.mjs --events FILE --url POSTGRES_URL [--in-flight 8]');
  process.exit(2);
}
const inFlight = Number(values['in-flight']);
if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError('--in-flight must be a positive integer');

/** Consecutive events of one stream, as one append; read before the clock starts. */
async function readAppends(file) {
  const appends = [];
  let current;
  let events = 0;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const { streamId, type, id, data, metadata } = JSON.parse(line);
    // Emmett takes the message id from metadata.messageId (else it draws a random one).
    const event = { type, data, metadata: { ...metadata, messageId: id } };
    if (current?.streamName === streamId) current.events.push(event);
    else appends.push((current = { streamName: streamId, events: [event] }));
    events++;
  }
  return { appends, events };
}

const { appends, events } = await readAppends(values.events);

// pg.Pool's default size (10) caps the connections Emmett opens; more appends in flight would only queue for one.
let pool;
if (inFlight > 10) {
  const { default: pg } = await import('pg');
  pool = new pg.Pool({ connectionString: values.url, max: inFlight });
}
const store = getPostgreSQLEventStore(values.url, pool ? { connectionOptions: { pool } } : undefined);
try {
  await store.schema.migrate(); // otherwise the first append would create the schema inside the timed run

  const started = process.hrtime.bigint();
  // A stream's next append waits for its previous one: Emmett numbers positions by reading the stream's current one,
  // so two concurrent appends to one stream would collide (and could reorder it).
  const lastOfStream = new Map();
  const running = new Set();
  for (const { streamName, events: batch } of appends) {
    while (running.size >= inFlight) await Promise.race(running);
    const previous = lastOfStream.get(streamName);
    const append = (previous ? previous.then(() => store.appendToStream(streamName, batch)) : store.appendToStream(streamName, batch)).finally(
      () => {
        running.delete(append);
        if (lastOfStream.get(streamName) === append) lastOfStream.delete(streamName);
      },
    );
    running.add(append);
    lastOfStream.set(streamName, append);
  }
  await Promise.all(running);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  console.log(JSON.stringify({ events, seconds, eventsPerSecond: events / seconds, appends: appends.length }));
} finally {
  await store.close();
  await pool?.end();
}
