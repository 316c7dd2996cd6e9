import { listValue, timestampValue } from '@duckdb/node-api';
import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { findUpwards, migrate, type DuckDbClient, type DuckDbDatabase } from '@olist/duckdb';
import type { Projection } from '../projection.js';
import { StarSchemaBatch } from './batch.js';
import { createStagingSql, type StagedColumns, type StagingName } from './staging.js';
import { CALENDAR_FROM_YEAR, CALENDAR_TO_YEAR, calendarSql } from './calendar.js';
import { SQL, TMP_ORDERS_SQL, UNKNOWN_MEMBERS_SQL } from './sql.js';

export const STAR_SCHEMA_PROJECTION = 'core_star_schema';

/** The analyst-facing tables of the `core` schema, dimensions first. */
export const STAR_SCHEMA_TABLES = [
  'core.dim_date',
  'core.dim_category',
  'core.dim_geography',
  'core.dim_customer',
  'core.dim_seller',
  'core.dim_product',
  'core.fact_order_items',
  'core.fact_orders',
  'core.fact_payments',
  'core.fact_reviews',
  'core.fact_deliveries',
] as const;
export type StarSchemaTable = (typeof STAR_SCHEMA_TABLES)[number];

export interface StarSchemaProjectionOptions {
  /** Row key in core.projection_checkpoint (default `core_star_schema`). */
  readonly name?: string;
  /** Directory of the versioned DuckDB DDL (default: `projections/duckdb` of the repository). */
  readonly migrationsDir?: string;
}

const MICROS_PER_MS = 1000n;

/**
 * Projects the global log into the DuckDB `core` star schema (spec §8).
 *
 * Each batch runs in ONE DuckDB transaction: its events are grouped by type in memory, bulk-loaded
 * through the Appender into TEMP staging tables, merged set-wise into the dimensions and facts, and the
 * checkpoint is written last. A crash leaves all of it or none of it; a batch whose checkpoint is at or
 * below the stored one is a no-op. Owns one connection (TEMP tables are per connection).
 */
export class StarSchemaProjection implements Projection {
  readonly name: string;
  private readonly migrationsDir: string;
  private client: DuckDbClient | undefined;
  private calendar: { from: number; to: number } = { from: CALENDAR_FROM_YEAR, to: CALENDAR_TO_YEAR };
  /** Serialises apply() calls. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DuckDbDatabase,
    options: StarSchemaProjectionOptions = {},
  ) {
    this.name = options.name ?? STAR_SCHEMA_PROJECTION;
    this.migrationsDir = options.migrationsDir ?? findUpwards(import.meta.url, 'projections/duckdb');
  }

  /** Applies pending migrations, creates the staging tables, the unknown members and the base calendar. */
  async init(): Promise<void> {
    if (this.client) return;
    const client = await this.db.connect();
    try {
      await migrate(client, this.migrationsDir);
      await client.run(createStagingSql());
      await client.run(TMP_ORDERS_SQL);
      await client.transaction(async (tx) => {
        await tx.run(UNKNOWN_MEMBERS_SQL);
        await tx.run(calendarSql(CALENDAR_FROM_YEAR, CALENDAR_TO_YEAR));
      });
      const range = await client.queryOne<{ lo: number; hi: number }>(
        'SELECT min(year) AS lo, max(year) AS hi FROM core.dim_date WHERE date_key <> 0',
      );
      this.calendar = { from: range!.lo, to: range!.hi };
    } catch (error) {
      client.close();
      throw error;
    }
    this.client = client;
  }

  private get connection(): DuckDbClient {
    if (!this.client) throw new Error(`projection ${this.name}: call init() first`);
    return this.client;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const row = await this.connection.queryOne<{ checkpoint: string | null }>(SQL.readCheckpoint, [this.name]);
    return (row?.checkpoint ?? undefined) as Checkpoint | undefined;
  }

  async eventsProjected(): Promise<number> {
    const row = await this.connection.queryOne<{ events_projected: bigint }>(SQL.readCheckpoint, [this.name]);
    return Number(row?.events_projected ?? 0n);
  }

  apply(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void> {
    const run = this.queue.then(() => this.applyNow(events, checkpoint));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void> {
    const batch = new StarSchemaBatch(events);
    let calendar = this.calendar;
    await this.connection.transaction(async (tx) => {
      const stored = await tx.queryOne<{ checkpoint: string | null }>(SQL.readCheckpoint, [this.name]);
      if (stored?.checkpoint != null && checkpoint <= stored.checkpoint) return; // already applied
      if (batch.relevant > 0) calendar = await this.project(tx, batch);
      await tx.run(SQL.writeCheckpoint, {
        projection: this.name,
        checkpoint,
        events: BigInt(events.length),
        updatedAt: timestampValue(BigInt(Date.now()) * MICROS_PER_MS),
      });
    });
    this.calendar = calendar; // only once committed
  }

  private async project(tx: DuckDbClient, batch: StarSchemaBatch): Promise<{ from: number; to: number }> {
    const calendar = await this.extendCalendar(tx, batch);

    let projected = new Map<string, bigint>();
    if (batch.geoEvents.length > 0) {
      const rows = await tx.query<{ stream_id: string; revision: bigint }>(SQL.geoStreamRevisions, [listValue(batch.geoStreams())]);
      projected = new Map(rows.map((r) => [r.stream_id, r.revision]));
    }
    const staged = batch.stage(projected);
    const has = (name: StagingName): boolean => (staged.get(name)?.rowCount ?? 0) > 0;
    for (const columns of staged.values()) await this.load(tx, columns);

    // Dimensions, each before whatever references it; then repoint facts that waited for them.
    if (has('geo')) {
      await tx.run(SQL.geo);
      if ([...projected.keys()].length < batch.geoStreams().length) await tx.run(SQL.geoRepoint); // a stream seen for the first time
    }
    if (has('category')) await tx.run(SQL.category);
    if (has('seller')) await tx.run(SQL.seller);
    if (has('product')) await tx.run(SQL.product);
    let orders = has('order');
    if (has('customer')) {
      await tx.run(SQL.customer);
      if ((await tx.run(SQL.customerOrders)) > 0) orders = true;
    }

    // Facts: merged order state first (children read their customer and purchase date from it).
    if (orders) {
      await tx.run(SQL.mergeOrders);
      if (has('item')) await tx.run(SQL.items);
      if (has('payment')) await tx.run(SQL.payments);
      if (has('review')) await tx.run(SQL.reviews);
      await tx.run(SQL.orders);
      await tx.run(SQL.deliveries);
      const rekeyed = await tx.scalar<bigint>(SQL.rekeyCount);
      if (rekeyed !== undefined && rekeyed > 0n) await tx.run(SQL.rekeyChildren);
      await tx.run('DELETE FROM tmp_orders');
    }

    await tx.run([...staged.keys()].map((name) => `DELETE FROM ${staged.get(name)!.table.name};`).join('\n') + (orders && !has('order') ? 'DELETE FROM stg_order;' : ''));
    return calendar;
  }

  private async load(tx: DuckDbClient, staged: StagedColumns): Promise<void> {
    if (staged.rowCount === 0) return;
    await tx.appendColumns(staged.table.name, staged.columns, { catalog: 'temp' });
  }

  /** Ensures core.dim_date covers every year the batch's date keys need (contiguously). */
  private async extendCalendar(tx: DuckDbClient, batch: StarSchemaBatch): Promise<{ from: number; to: number }> {
    const { from, to } = this.calendar;
    const lo = Math.min(from, batch.minYear ?? from);
    const hi = Math.max(to, batch.maxYear ?? to);
    if (lo < from || hi > to) await tx.run(calendarSql(lo, hi));
    return { from: lo, to: hi };
  }

  /** Closes the projection's connection (the database stays open). */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
