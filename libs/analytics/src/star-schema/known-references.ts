import { BloomFilter } from 'bloomfilter';
import { LRUCache } from 'lru-cache';
import type { DuckDbClient } from '@olist/duckdb';
import type { OrderRef } from './batch.js';

/** Entries each cache keeps by default (~250 bytes an order and a customer together: ~50 MB at most). */
export const DEFAULT_REFERENCE_CACHE_ENTRIES = 200_000;

/**
 * Bits of each filter of stored ids (8 MiB each): with 7 hashes, 1 % of the ids never stored are taken for
 * stored ones at ~7M ids, 5 % at ~10M; each such false alarm costs a lookup, never a wrong answer.
 */
const FILTER_BITS = 64 * 1024 * 1024;
const FILTER_HASHES = 7;

/** What a batch needs to know of the stored state: its orders already in fact_orders, its customers in dim_customer. */
export interface BatchReferences {
  readonly orders: ReadonlyMap<string, OrderRef>;
  readonly customers: ReadonlySet<string>;
}

const LOOKUP_TABLE = 'stg_lookup_id';
export const CREATE_LOOKUP_TABLE_SQL = `CREATE OR REPLACE TEMP TABLE ${LOOKUP_TABLE} (id VARCHAR);`;

/** Ids stored in a table: a fixed-size filter that says "surely not" for most ids never stored, and a bounded cache of values. */
class StoredIds<V> {
  private filter = new BloomFilter(FILTER_BITS, FILTER_HASHES);
  readonly cache: LRUCache<string, V & {}>;

  constructor(entries: number) {
    this.cache = new LRUCache({ max: Math.max(1, entries) });
  }

  /** Splits `ids` into the values the cache holds and the ids that may be stored but are not cached. */
  partition(ids: Iterable<string>, found: (id: string, value: V) => void): string[] {
    const unknown: string[] = [];
    for (const id of ids) {
      const value = this.cache.get(id);
      if (value !== undefined) found(id, value);
      else if (this.filter.test(id)) unknown.push(id);
    }
    return unknown;
  }

  remember(id: string, value: V & {}): void {
    this.filter.add(id);
    this.cache.set(id, value);
  }

  reset(): void {
    this.filter = new BloomFilter(FILTER_BITS, FILTER_HASHES);
    this.cache.clear();
  }

  /** Adds every id `sql` returns (one VARCHAR column) to the filter, a chunk at a time. */
  async fill(client: DuckDbClient, sql: string): Promise<void> {
    const result = await client.connection.stream(sql);
    for await (const rows of result.yieldRows()) for (const [id] of rows) this.filter.add(id as string);
  }
}

/**
 * What the projection knows of the orders in fact_orders (their customer and purchase date) and the customer
 * ids in dim_customer, in bounded memory whatever the size of the log: a fixed-size filter of the stored ids
 * and a cache of the ones seen lately. A batch asks the database only for the ids the filter may hold and the
 * cache does not, in the batch's transaction (the projection is the tables' only writer): a cold cache or a
 * false alarm of the filter costs a lookup, never a wrong answer.
 */
export class KnownReferences {
  private readonly orders: StoredIds<OrderRef>;
  private readonly customers: StoredIds<true>;

  constructor(entries = DEFAULT_REFERENCE_CACHE_ENTRIES) {
    this.orders = new StoredIds(entries);
    this.customers = new StoredIds(entries);
  }

  /** Forgets everything, then learns the ids stored in `client`'s tables. */
  async load(client: DuckDbClient): Promise<void> {
    this.orders.reset();
    this.customers.reset();
    await this.orders.fill(client, 'SELECT order_id FROM core.fact_orders');
    await this.customers.fill(client, 'SELECT customer_id FROM core.dim_customer WHERE customer_key <> 0');
  }

  /** The references of a batch touching `orderIds`, whose orders name the customers `customerIdsOf` gives (given the stored refs). */
  async resolve(
    tx: DuckDbClient,
    orderIds: Iterable<string>,
    customerIdsOf: (stored: ReadonlyMap<string, OrderRef>) => Iterable<string>,
  ): Promise<BatchReferences> {
    const orders = new Map<string, OrderRef>();
    const unknownOrders = this.orders.partition(orderIds, (id, ref) => orders.set(id, ref));
    for (const [id, customerId, purchaseDateKey, customerKnown] of await lookup<[string, string | null, number, boolean]>(
      tx,
      unknownOrders,
      `SELECT order_id, customer_id, purchase_date_key, customer_key <> 0 FROM core.fact_orders WHERE order_id IN (SELECT id FROM ${LOOKUP_TABLE})`,
    )) {
      const ref = { customerId, purchaseDateKey, customerKnown };
      orders.set(id, ref);
      this.orders.cache.set(id, ref);
    }

    // A stored order keyed by its customer vouches for that customer: no lookup for it.
    const customers = new Set<string>();
    for (const ref of orders.values()) if (ref.customerKnown && ref.customerId !== null) customers.add(ref.customerId);
    const wanted = new Set<string>();
    for (const id of customerIdsOf(orders)) if (!customers.has(id)) wanted.add(id);
    const unknownCustomers = this.customers.partition(wanted, (id) => customers.add(id));
    // By surrogate key, the dimension's key: the scan reads one BIGINT column, not the ids' text (half the time).
    for (const [id] of await lookup<[string]>(
      tx,
      unknownCustomers,
      `SELECT s.id FROM ${LOOKUP_TABLE} s SEMI JOIN core.dim_customer d ON d.customer_key = core.surrogate_key(s.id)`,
    )) {
      customers.add(id);
      this.customers.cache.set(id, true);
    }
    return { orders, customers };
  }

  /** Records what a committed batch wrote. */
  remember(orders: Iterable<readonly [string, OrderRef]>, customerIds: Iterable<string>): void {
    for (const [id, ref] of orders) this.orders.remember(id, ref);
    for (const id of customerIds) this.customers.remember(id, true);
  }
}

const lookup = async <Row extends unknown[]>(tx: DuckDbClient, ids: ReadonlyArray<string>, sql: string): Promise<Row[]> => {
  if (ids.length === 0) return [];
  await tx.appendColumns(LOOKUP_TABLE, [ids], { catalog: 'temp' });
  const rows = (await tx.connection.runAndReadAll(sql)).getRows() as Row[];
  // Not in a `finally`: after a failed statement DuckDB refuses every other one in the transaction, and that refusal
  // would hide the failure (a full disk) the projector must see to retry. The rollback empties the table anyway.
  await tx.run(`DELETE FROM ${LOOKUP_TABLE}`);
  return rows;
};
