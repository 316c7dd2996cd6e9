import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { findUpwards, migrate, type DuckDbClient, type DuckDbDatabase } from '@olist/duckdb';
import type { Projection } from '@olist/event-store';
import { StarSchemaBatch } from './batch.js';
import { CALENDAR_FROM_YEAR, CALENDAR_TO_YEAR, calendarSql } from './calendar.js';
import { CREATE_LOOKUP_TABLE_SQL, KnownReferences, type DEFAULT_REFERENCE_CACHE_ENTRIES } from './known-references.js';
import { createStagingSql, type StagingName } from './staging.js';
import { SQL, UNKNOWN_MEMBERS_SQL, literal, pendingReferencesSql, type PendingReference } from './sql.js';

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
  /**
   * Called once a batch that erased people is committed, before the next batch: e.g. to rewrite the database
   * file, whose superseded blocks still hold the erased values' bytes.
   */
  readonly afterErasure?: (customerIds: ReadonlySet<string>) => Promise<void>;
  /**
   * Projected orders and customer ids kept in memory, each (default {@link DEFAULT_REFERENCE_CACHE_ENTRIES}):
   * the bound of the projection's memory; a batch looks the others up.
   */
  readonly referenceCacheEntries?: number;
}

/**
 * Another writer advanced this projection's checkpoint behind our back (two projectors on one file):
 * the batch was rolled back.
 */
export class ProjectionConflictError extends Error {
  constructor(projection: string) {
    super(`projection ${projection}: the stored checkpoint moved under a concurrent writer; batch rolled back`);
    this.name = 'ProjectionConflictError';
  }
}

interface Calendar {
  readonly from: number;
  readonly to: number;
}

/** What this instance knows of the stored state; replaced only after a commit (or reloaded). */
interface Known {
  readonly checkpoint: string | null;
  readonly calendar: Calendar;
  /**
   * Last projected revision of each geolocation stream (the ZipCodeLocated sums are not idempotent by key):
   * one entry per zip prefix, so at most 100,000.
   */
  readonly streamRevisions: Map<string, bigint>;
}

/** What a batch changes besides rows: applied to {@link Known} once committed. */
interface Effects {
  readonly calendar: Calendar;
  readonly progress: ReadonlyArray<readonly [string, bigint]>;
  /** The set-based statements merging the staged batch, then emptying the staging tables: run as one script with the checkpoint update. */
  readonly sql: string;
}

const timestampLiteral = (at: Date): string => `TIMESTAMP ${literal(at.toISOString().replace('T', ' ').replace('Z', ''))}`;

/**
 * Projects the global log into the DuckDB `core` star schema (spec §8).
 *
 * Each batch runs in ONE DuckDB transaction: its events are grouped by type in memory, bulk-loaded
 * through the Appender into TEMP staging tables, merged set-wise into the dimensions and facts
 * (MERGE INTO keyed by natural keys), and the checkpoint row is advanced last. A crash leaves all of
 * it or none of it. A batch whose checkpoint is at or below the stored one is a no-op.
 *
 * The projection owns one connection (TEMP tables are per connection) and is the checkpoint row's only
 * writer: it keeps the stored checkpoint in memory and advances it with a compare-and-set UPDATE, so a
 * second writer is detected ({@link ProjectionConflictError}) instead of double-applying.
 */
export class StarSchemaProjection implements Projection {
  readonly name: string;
  private readonly migrationsDir: string;
  private client: DuckDbClient | undefined;
  private known: Known = {
    checkpoint: null,
    calendar: { from: CALENDAR_FROM_YEAR, to: CALENDAR_TO_YEAR },
    streamRevisions: new Map(),
  };
  /**
   * Orders in fact_orders with their customer and purchase date (a new order is a plain INSERT, no MERGE
   * against the fact table, and items, payments and reviews are keyed without joining it), and customer
   * ids in dim_customer (a customer key resolves without joining the dimension).
   */
  private readonly references: KnownReferences;
  /** Serialises apply() calls. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DuckDbDatabase,
    private readonly options: StarSchemaProjectionOptions = {},
  ) {
    this.name = options.name ?? STAR_SCHEMA_PROJECTION;
    this.migrationsDir = options.migrationsDir ?? findUpwards(import.meta.url, 'projections/duckdb');
    this.references = new KnownReferences(options.referenceCacheEntries);
  }

  /**
   * Applies pending migrations, creates the staging tables, the unknown members, the base calendar and
   * the checkpoint row. Idempotent.
   */
  async init(): Promise<void> {
    if (this.client) return;
    const client = await this.db.connect();
    try {
      await migrate(client, this.migrationsDir);
      await client.run(createStagingSql() + CREATE_LOOKUP_TABLE_SQL);
      await client.transaction(async (tx) => {
        await tx.run(UNKNOWN_MEMBERS_SQL);
        await tx.run(calendarSql(CALENDAR_FROM_YEAR, CALENDAR_TO_YEAR));
        await tx.run(
          `INSERT INTO core.projection_checkpoint VALUES (${literal(this.name)}, NULL, 0, ${timestampLiteral(new Date())}) ON CONFLICT DO NOTHING`,
        );
      });
      this.known = await this.load(client);
    } catch (error) {
      client.close();
      throw error;
    }
    this.client = client;
  }

  /** One transaction: a consistent snapshot, and the stored ids streamed inside the database's gate (a compaction waits). */
  private load(client: DuckDbClient): Promise<Known> {
    return client.transaction((tx) => this.loadIn(tx));
  }

  private async loadIn(client: DuckDbClient): Promise<Known> {
    const row = await client.queryOne<{ checkpoint: string | null; lo: number; hi: number }>(
      `SELECT (SELECT checkpoint FROM core.projection_checkpoint WHERE projection = ${literal(this.name)}) AS checkpoint,
              min(year) AS lo, max(year) AS hi
       FROM core.dim_date WHERE date_key <> 0`,
    );
    const streams = await client.query<{ stream_id: string; revision: bigint }>(
      'SELECT stream_id, max(revision) AS revision FROM core_state.stream_progress GROUP BY stream_id',
    );
    await this.references.load(client);
    return {
      checkpoint: row!.checkpoint,
      calendar: { from: row!.lo, to: row!.hi },
      streamRevisions: new Map(streams.map((s) => [s.stream_id, s.revision])),
    };
  }

  private get connection(): DuckDbClient {
    if (!this.client) throw new Error(`projection ${this.name}: call init() first`);
    return this.client;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const row = await this.connection.queryOne<{ checkpoint: string | null }>(
      `SELECT checkpoint FROM core.projection_checkpoint WHERE projection = ${literal(this.name)}`,
    );
    return (row?.checkpoint ?? undefined) as Checkpoint | undefined;
  }

  async eventsProjected(): Promise<number> {
    const row = await this.connection.queryOne<{ events_projected: bigint }>(
      `SELECT events_projected FROM core.projection_checkpoint WHERE projection = ${literal(this.name)}`,
    );
    return Number(row?.events_projected ?? 0n);
  }

  apply(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void> {
    const run = this.queue.then(() => this.applyNow(events, checkpoint));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void> {
    const client = this.connection;
    const known = this.known;
    if (known.checkpoint !== null && checkpoint <= known.checkpoint) return; // already applied
    const batch = new StarSchemaBatch(events);
    let effects: Effects = { calendar: known.calendar, progress: [], sql: '' };
    try {
      await client.transaction(async (tx) => {
        if (batch.relevant > 0) effects = await this.project(tx, batch);
        // Compare-and-set: the row must still hold the checkpoint this instance last wrote or loaded.
        const advanced = await tx.run(
          `${effects.sql}
           UPDATE core.projection_checkpoint
           SET checkpoint = ${literal(checkpoint)}, events_projected = events_projected + ${events.length},
               updated_at = ${timestampLiteral(new Date())}
           WHERE projection = ${literal(this.name)} AND checkpoint IS NOT DISTINCT FROM ${known.checkpoint === null ? 'NULL' : literal(known.checkpoint)}`,
        );
        if (advanced !== 1) throw new ProjectionConflictError(this.name);
      });
    } catch (error) {
      if (!(error instanceof ProjectionConflictError)) throw error;
      this.known = await this.load(client); // someone else wrote: resynchronise
      if (this.known.checkpoint !== null && checkpoint <= this.known.checkpoint) return;
      throw error;
    }
    // Committed: bring what this instance knows up to date.
    for (const [stream, revision] of effects.progress) known.streamRevisions.set(stream, revision);
    this.references.remember(batch.orders.refs, batch.dimensions.customers.keys());
    this.known = { ...known, checkpoint, calendar: effects.calendar };
    if (batch.dimensions.erasedCustomers.size > 0) await this.options.afterErasure?.(batch.dimensions.erasedCustomers);
  }

  /**
   * Stages the batch and returns the script that merges it (run with the checkpoint update, one round
   * trip), with the calendar and stream revisions as they will be once committed.
   */
  private async project(tx: DuckDbClient, batch: StarSchemaBatch): Promise<Effects> {
    const script: string[] = [];
    const calendar = this.extendCalendar(batch, script);

    const references = await this.references.resolve(tx, batch.orders.ids(), (stored) => batch.orders.customerIds(stored));
    const staged = batch.stage(this.known.streamRevisions, references.orders, references.customers);
    const has = (name: StagingName): boolean => (staged.get(name)?.rowCount ?? 0) > 0;
    for (const columns of staged.values()) {
      const [schema, table] = columns.table.name.includes('.') ? columns.table.name.split('.') : [undefined, columns.table.name];
      await tx.appendColumns(table!, columns.columns, schema ? { schema } : { catalog: 'temp' });
    }
    const progress = staged.get('streamProgress');
    const progressed = progress
      ? progress.columns[0]!.map((stream, i) => [stream as string, progress.columns[1]![i] as bigint] as const)
      : [];

    // Rows waiting for a late reference this batch may resolve (asking is near-free).
    const wanted: PendingReference[] = [];
    if (has('geo')) wanted.push('customers_without_geography', 'sellers_without_geography');
    if (has('category')) wanted.push('products_without_category');
    if (has('seller')) wanted.push('items_without_seller');
    if (has('product')) wanted.push('items_without_product');
    if (has('customer')) wanted.push('orders_without_customer');
    if (batch.orders.placements > 0) wanted.push('orders_not_placed');
    const pending = new Set<PendingReference>();
    if (wanted.length > 0) {
      const waiting = (await tx.queryOne<Record<PendingReference, boolean>>(pendingReferencesSql(wanted)))!;
      for (const name of wanted) if (waiting[name]) pending.add(name);
    }

    // Dimensions, each before whatever references it, then the rows that waited for them.
    if (has('geo')) {
      script.push(SQL.geo);
      if (pending.has('customers_without_geography')) script.push(SQL.customersGeoRepoint);
      if (pending.has('sellers_without_geography')) script.push(SQL.sellersGeoRepoint);
    }
    if (has('category')) {
      script.push(SQL.category);
      if (pending.has('products_without_category')) script.push(SQL.productsCategoryRepoint);
    }
    if (has('seller')) {
      script.push(SQL.seller);
      if (pending.has('items_without_seller')) script.push(SQL.itemsSellerRepoint);
    }
    if (has('product')) {
      script.push(SQL.product);
      if (pending.has('items_without_product')) script.push(SQL.itemsProductRepoint);
    }
    let stagedOrders = has('order');
    let rekey = false;
    if (has('customer')) {
      script.push(SQL.customer);
      if (pending.has('orders_without_customer')) {
        script.push(SQL.customerArrivals);
        stagedOrders = rekey = true;
      }
    }
    if (batch.dimensions.erasedCustomers.size > 0) script.push(SQL.customerErasure(batch.dimensions.erasedCustomers));
    if (pending.has('orders_not_placed')) {
      script.push(SQL.lateOrderPlacements);
      rekey = true;
    }
    if (batch.orders.placementCorrections > 0) rekey = true;

    // Facts: orders first (the item and payment statements then set their totals from the child facts).
    // Children are staged with their order's customer and purchase date, so they need no join.
    if (batch.orders.newOrders > 0) script.push(SQL.ordersInsert);
    if (batch.orders.mergedOrders > 0 || rekey) script.push(SQL.ordersMerge);
    if (has('item')) script.push(SQL.items);
    if (has('payment')) script.push(SQL.payments);
    if (has('review')) script.push(SQL.reviews);
    if (batch.orders.newDeliveries > 0) script.push(SQL.deliveriesInsert);
    if (batch.orders.mergedDeliveries > 0 || rekey) script.push(SQL.deliveriesMerge);
    if (rekey) script.push(SQL.rekeyChildren);

    const used = new Set<string>([...staged.values()].map((columns) => columns.table.name).filter((name) => !name.includes('.')));
    if (stagedOrders) used.add('stg_order');
    for (const table of used) script.push(`DELETE FROM ${table};`);
    return { calendar, progress: progressed, sql: script.join('\n') };
  }

  /** Adds to `script` what makes core.dim_date cover every year the batch's date keys need (contiguously). */
  private extendCalendar(batch: StarSchemaBatch, script: string[]): Calendar {
    const { from, to } = this.known.calendar;
    const lo = Math.min(from, batch.years.min ?? from);
    const hi = Math.max(to, batch.years.max ?? to);
    if (lo < from || hi > to) script.push(`${calendarSql(lo, hi)};`);
    return { from: lo, to: hi };
  }

  /** Closes the projection's connection (the database stays open). */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

