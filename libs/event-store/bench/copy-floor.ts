/**
 * The floor of append throughput on a PostgreSQL server: the events of an events file COPYed in one statement
 * into a fresh copy of the event store's events table (same DDL, indexes in place), no per-append work at all.
 */
import { randomBytes } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgClient, createTestDatabase } from '@olist/postgres';
import { migrateEventStore } from '@olist/event-store';
import { readEventsFile, writeLines } from './events-file.js';

export interface FloorResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

// global_position, transaction_id and recorded_at are left to their defaults, as the store's own INSERT does.
const COLUMNS = 'stream_id, revision, category, event_id, event_type, data, metadata';

/** Creates a scratch database on `serverUrl`, a table with the same columns and indexes as our event store's events table (read libs/event-store/src/postgres/schema.ts), and COPYs the events of `eventsFile` into it; drops the database. */
export async function copyFloor(serverUrl: string, eventsFile: string): Promise<FloorResult> {
  // Server-side COPY reads the file as the server's OS user: it must sit in a directory that user can traverse.
  const rowsFile = join(tmpdir(), `olist-copy-floor-${process.pid}-${randomBytes(6).toString('hex')}.tsv`);
  try {
    const events = await writeCopyFile(eventsFile, rowsFile);
    const database = await createTestDatabase('copy_floor', serverUrl);
    const client = createPgClient(database.url, { max: 1, applicationName: 'olist-copy-floor' });
    try {
      await migrateEventStore(client);
      const started = process.hrtime.bigint();
      const { rowCount } = await client.query(`COPY event_store.events (${COLUMNS}) FROM ${literal(rowsFile)}`);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (rowCount !== events) throw new Error(`COPY wrote ${rowCount} rows, expected ${events}`);
      return { events, seconds, eventsPerSecond: events / seconds };
    } finally {
      await client.close();
      await database.drop();
    }
  } finally {
    await rm(rowsFile, { force: true });
  }
}

/** Writes the rows in COPY text format; revisions are numbered per stream in file order. Resolves to the row count. */
async function writeCopyFile(eventsFile: string, rowsFile: string): Promise<number> {
  const revisions = new Map<string, number>();
  async function* rows(): AsyncGenerator<string> {
    for await (const event of readEventsFile(eventsFile)) {
      const revision = revisions.get(event.streamId) ?? 0;
      revisions.set(event.streamId, revision + 1);
      const dash = event.streamId.indexOf('-');
      const category = dash < 0 ? event.streamId : event.streamId.slice(0, dash); // split_part(stream_id, '-', 1)
      yield [
        copyText(event.streamId),
        revision,
        copyText(category),
        copyText(event.id),
        copyText(event.type),
        copyText(JSON.stringify(event.data) ?? 'null'),
        copyText(JSON.stringify(event.metadata ?? {})),
      ].join('\t') + '\n';
    }
  }
  const count = await writeLines(rows(), rowsFile, 0o644);
  await chmod(rowsFile, 0o644); // the umask may have narrowed the mode
  return count;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escapes a value for COPY's text format (backslash, tab, newline, carriage return). */
function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
