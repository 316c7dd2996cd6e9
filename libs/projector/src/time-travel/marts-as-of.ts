import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbMartReader, MartRefresher, StarSchemaProjection, type MartCatalog, type MartPage, type MartQuery } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import type { Checkpoint, EventStore } from '@olist/event-store';
import { ApplicationError } from '@olist/shared-kernel';
import { replayLog } from '../rebuild/replay.js';

/** Where in the log to read the marts: at (or just before) a position, or as the log stood at a time. */
export type LogPoint = { readonly atPosition: string } | { readonly recordedAsOf: Date };

/** The marts as they were at a point of the log (`MartsAsOf` in the owner's process, or over HTTP). */
export interface MartTimeTravel {
  readAt(mart: string, query: MartQuery, point: LogPoint): Promise<MartPage & { readonly position: string; readonly eventsReplayed: number }>;
}

export class BeforeTheLogError extends ApplicationError {
  readonly code = 'AUDIT.BEFORE_THE_LOG';
  readonly kind = 'not_found';
}

interface Built {
  readonly position: Checkpoint;
  readonly events: number;
  readonly database: DuckDbDatabase;
  readonly reader: DuckDbMartReader;
  readonly file: string;
}

/**
 * The star schema and marts exactly as they were when the log ended at a past position (time travel): the
 * log is replayed from position 0 up to that position into a scratch DuckDB file, and the marts are built on
 * it; the live file is never touched. The last few points are kept (LRU), one replay runs at a time.
 */
export class MartsAsOf implements MartTimeTravel {
  private readonly built = new Map<string, Promise<Built>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly dir: string,
    private readonly keep = 3,
    /** DuckDB configuration of the scratch instances (bounded memory). */
    private readonly duckdbConfig: Record<string, string> = {},
  ) {}

  async catalog(point: LogPoint): Promise<MartCatalog & { readonly position: string }> {
    const built = await this.at(point);
    return { ...(await built.reader.catalog()), position: built.position };
  }

  async readAt(mart: string, query: MartQuery, point: LogPoint): Promise<MartPage & { readonly position: string; readonly eventsReplayed: number }> {
    const built = await this.at(point);
    return { ...(await built.reader.read(mart, query)), position: built.position, eventsReplayed: built.events };
  }

  async close(): Promise<void> {
    await this.discardAll();
  }

  /** Removes every built past (after an erasure: a past is built again from the log, erased). */
  async discardAll(): Promise<void> {
    const built = [...this.built.values()];
    this.built.clear();
    for (const pending of built) await this.discard(pending);
  }

  /** Resolutions of points already asked (each a scan of the log): the log up to a point with later events after it is fixed. */
  private readonly resolved = new Map<string, Checkpoint>();

  async resolve(point: LogPoint): Promise<Checkpoint> {
    const key = 'atPosition' in point ? `p:${point.atPosition}` : `t:${point.recordedAsOf.toISOString()}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const { position, bounded } = await scanTo(this.store, point);
    if (!bounded) return position; // at the head of the log: a later append moves it
    if (this.resolved.size >= 1000) this.resolved.clear();
    this.resolved.set(key, position);
    return position;
  }

  private async at(point: LogPoint): Promise<Built> {
    // A point that is a built position is the position of an event: nothing to resolve.
    const position = 'atPosition' in point && this.built.has(point.atPosition) ? (point.atPosition as Checkpoint) : await this.resolve(point);
    let pending = this.built.get(position);
    if (pending) {
      this.built.delete(position);
    } else {
      pending = this.enqueue(() => this.build(position));
      pending.catch(() => this.built.delete(position));
    }
    this.built.set(position, pending);
    while (this.built.size > this.keep) {
      const [oldest, evicted] = this.built.entries().next().value as [string, Promise<Built>];
      this.built.delete(oldest);
      void this.discard(evicted);
    }
    return pending;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async build(position: Checkpoint): Promise<Built> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `at-${position.replace(':', '-')}-${process.pid}.duckdb`);
    await rm(file, { force: true });
    await rm(`${file}.wal`, { force: true });
    const { database, events } = await buildStarSchemaAsOf(this.store, position, file, this.duckdbConfig);
    return { position, events, database, reader: new DuckDbMartReader(database, { concurrency: 2 }), file };
  }

  private async discard(pending: Promise<Built>): Promise<void> {
    const built = await pending.catch(() => undefined);
    if (!built) return;
    built.database.close();
    await rm(built.file, { force: true });
    await rm(`${built.file}.wal`, { force: true });
  }
}

/** The position of the last event at or before the point (the log as recorded up to a time: up to its first later event). */
export const resolveLogPoint = async (store: EventStore, point: LogPoint): Promise<Checkpoint> => (await scanTo(store, point)).position;

/** `bounded`: an event after the point exists, so later appends cannot move the answer. */
const scanTo = async (store: EventStore, point: LogPoint): Promise<{ position: Checkpoint; bounded: boolean }> => {
  let last: Checkpoint | undefined;
  let after: Checkpoint | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 5_000 });
    for (const e of page.events) {
      const beyond = 'atPosition' in point ? e.position > point.atPosition : Date.parse(String(e.metadata.recordedAt)) > point.recordedAsOf.getTime();
      if (beyond) return { position: found(last, point), bounded: true };
      last = e.position;
    }
    if (page.events.length === 0) return { position: found(last, point), bounded: false };
    after = page.checkpoint;
  }
};

const found = (last: Checkpoint | undefined, point: LogPoint): Checkpoint => {
  if (last === undefined) throw new BeforeTheLogError('the log holds no event at or before that point', { ...point });
  return last;
};

/**
 * Replays the log from position 0 up to `position` (an event's) into a new DuckDB file and builds the marts
 * on it: the star schema and marts as they were then. The caller owns the returned database.
 */
export const buildStarSchemaAsOf = async (
  store: EventStore,
  position: Checkpoint,
  file: string,
  config: Record<string, string> = {},
): Promise<{ database: DuckDbDatabase; events: number }> => {
  const database = await DuckDbDatabase.open(file, { config });
  try {
    const projection = new StarSchemaProjection(database);
    const { events } = await replayLog(store, projection, { until: position });
    await projection.close?.();
    const client = await database.connect();
    try {
      await new MartRefresher().refresh(client);
    } finally {
      client.close();
    }
    return { database, events };
  } catch (error) {
    database.close();
    await rm(file, { force: true });
    throw error;
  }
};
