import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@olist/event-store';
import { DuckDbDatabase, type DuckDbClient, type PlainRow } from '@olist/duckdb';
import { StarSchemaProjection, contentHashes, type StarSchemaProjectionOptions } from '../../src/index.js';
import { batches, lastCheckpoint } from './events.js';

/** A star-schema projection on a fresh DuckDB file in a temp dir, with a second connection to read it. */
export class Harness {
  private constructor(
    readonly dir: string,
    readonly file: string,
    public db: DuckDbDatabase,
    public projection: StarSchemaProjection,
    public client: DuckDbClient,
    private readonly options: StarSchemaProjectionOptions,
  ) {}

  static async create(options: StarSchemaProjectionOptions = {}): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), 'olist-analytics-'));
    const file = join(dir, 'warehouse', 'dw.duckdb');
    const db = await DuckDbDatabase.open(file);
    const projection = new StarSchemaProjection(db, options);
    await projection.init();
    return new Harness(dir, file, db, projection, await db.connect(), options);
  }

  /** Applies the events as one batch (checkpoint: the last event's position). */
  async apply(events: ReadonlyArray<RecordedEvent>): Promise<void> {
    if (events.length > 0) await this.projection.apply(events, lastCheckpoint(events));
  }

  /** Applies the events in consecutive batches of the given sizes. */
  async applyIn(events: ReadonlyArray<RecordedEvent>, ...sizes: number[]): Promise<void> {
    for (const batch of batches(events, ...sizes)) await this.apply(batch);
  }

  rows<T extends object = PlainRow>(sql: string): Promise<T[]> {
    return this.client.query<T>(sql);
  }

  hashes(): Promise<Record<string, string>> {
    return contentHashes(this.client);
  }

  /** Closes and reopens the database file (a process restart). */
  async reopen(options: StarSchemaProjectionOptions = this.options): Promise<void> {
    this.client.close();
    this.projection.close();
    this.db.close();
    this.db = await DuckDbDatabase.open(this.file);
    this.projection = new StarSchemaProjection(this.db, options);
    await this.projection.init();
    this.client = await this.db.connect();
  }

  /** Asserts this harness's tables equal a clean projection of `events` in one batch. */
  async expectSameAsCleanRun(events: ReadonlyArray<RecordedEvent>): Promise<void> {
    const clean = await Harness.create();
    try {
      await clean.apply(events);
      expect(await this.hashes()).toEqual(await clean.hashes());
    } finally {
      clean.close();
    }
  }

  close(): void {
    this.client.close();
    this.projection.close();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
