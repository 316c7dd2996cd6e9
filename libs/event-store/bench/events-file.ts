/**
 * The events the append benchmark writes to every target (our store, the COPY floor, the Emmett peer), as an
 * NDJSON file: one {@link BenchEvent} a line, in global log order. bench/emmett-peer/append.mjs reads the same format.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import type { Checkpoint, EventStore } from '@olist/event-store';

/** One event to append, as NDJSON lines: { streamId, type, id, data, metadata } in global log order. */
export interface BenchEvent {
  readonly streamId: string;
  readonly type: string;
  readonly id: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
}

const CHUNK_CHARS = 1 << 20;

/** Writes `lines` (each ending in a newline) to `file`, replacing it, in chunks of ~1 MB; resolves to how many. */
export async function writeLines(lines: AsyncIterable<string> | Iterable<string>, file: string, mode = 0o666): Promise<number> {
  const out = createWriteStream(file, { mode });
  let count = 0;
  let chunk = '';
  try {
    for await (const line of lines) {
      chunk += line;
      count++;
      if (chunk.length >= CHUNK_CHARS) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await finished(out);
  } catch (error) {
    out.destroy();
    throw error;
  }
  return count;
}

/** Writes `events` to `file` (replacing it); resolves to the number of events written. */
export async function writeEventsFile(events: AsyncIterable<BenchEvent> | Iterable<BenchEvent>, file: string): Promise<number> {
  async function* lines(): AsyncGenerator<string> {
    for await (const { streamId, type, id, data, metadata } of events) yield `${JSON.stringify({ streamId, type, id, data, metadata })}\n`;
  }
  return writeLines(lines(), file);
}

/** Reads the events of an NDJSON events file in order. */
export async function* readEventsFile(file: string): AsyncGenerator<BenchEvent> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      const event = JSON.parse(text) as Partial<BenchEvent>;
      if (typeof event.streamId !== 'string' || typeof event.type !== 'string' || typeof event.id !== 'string') {
        throw new Error(`${file}:${line}: not an event (streamId, type and id must be strings)`);
      }
      yield { streamId: event.streamId, type: event.type, id: event.id, data: event.data ?? null, metadata: event.metadata ?? {} };
    }
  } finally {
    lines.close();
  }
}

/** Reads every event of a PostgreSQL event store (an `EventStore` from '@olist/event-store', via readAll pages) into the file. */
export async function exportStoreEvents(store: EventStore, file: string, pageSize = 5_000): Promise<number> {
  async function* all(): AsyncGenerator<BenchEvent> {
    let after: Checkpoint | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: pageSize });
      if (page.events.length === 0) return;
      for (const e of page.events) yield { streamId: e.streamId, type: e.type, id: e.id, data: e.data, metadata: e.metadata };
      after = page.checkpoint;
    }
  }
  return writeEventsFile(all(), file);
}
