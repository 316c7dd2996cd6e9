import { DuckDBTypeId, JSDuckDBValueConverter, type DuckDBValueConverter, type JS } from '@duckdb/node-api';
import type { DuckDbClient, DuckDbDatabase } from '@olist/duckdb';
import {
  MART_NAMES,
  MartsUnavailableError,
  UnknownMartError,
  type MartCatalog,
  type MartColumn,
  type MartInfo,
  type MartPage,
  type MartQuery,
  type MartReader,
  type MartRefresh,
  type MartRow,
} from './mart-reader.js';
import { MartPageCache, refreshKey, type MartPageCacheOptions } from './mart-page-cache.js';
import { martSelect, quoted } from './mart-select.js';

export interface DuckDbMartReaderOptions {
  /**
   * Reads running at once (default 2); more wait their turn. Each DuckDB call of @duckdb/node-api holds a
   * libuv worker thread (4 by default) while it runs, and the projector's writes need them too.
   */
  readonly concurrency?: number;
  /** Bounds of the pages kept until the next refresh (see {@link MartPageCache}). */
  readonly cache?: MartPageCacheOptions;
}

/** Values as answers carry them (see {@link MartValue}); typed JS because it also converts nested values. */
const jsonValue: DuckDBValueConverter<JS> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.DATE:
      return String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS: {
      const date = JSDuckDBValueConverter(value, type, converter);
      return date instanceof Date ? date.toISOString() : String(date);
    }
    default: {
      const plain = JSDuckDBValueConverter(value, type, converter);
      if (typeof plain === 'bigint') return Number.isSafeInteger(Number(plain)) ? Number(plain) : plain.toString();
      return plain;
    }
  }
};

/** A counting semaphore: at most `size` holders at once, the others queue in arrival order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

interface CatalogRow {
  table_name: string;
  table_comment: string | null;
  column_name: string;
  data_type: string;
  column_comment: string | null;
}

/**
 * The in-process adapter: reads the marts on the DuckDB instance that the projector writes (DuckDB lets
 * one process open the file; inside it, connections read MVCC snapshots while another writes). Each read
 * opens its own connection and one READ ONLY transaction, so the refresh it reports, the column catalog,
 * the total and the rows all come from the same snapshot: all of one mart refresh, never a mix. Mart
 * names, columns and types come from that catalog; filter values are bound parameters. A page read is kept
 * until the next refresh ({@link MartPageCache}): a read first checks which refresh the marts are at (one
 * statement, shared by the reads that arrive while it runs) and reads a snapshot only for a page not kept.
 */
export class DuckDbMartReader implements MartReader {
  private readonly slots: Slots;
  private readonly pages: MartPageCache;
  private described: { readonly key: string; readonly marts: ReadonlyArray<Omit<MartInfo, 'rows'>> } | undefined;

  constructor(
    private readonly db: Pick<DuckDbDatabase, 'connect'>,
    options: DuckDbMartReaderOptions = {},
  ) {
    this.slots = new Slots(Math.max(1, options.concurrency ?? 2));
    this.pages = new MartPageCache(() => this.withConnection((client) => this.refresh(client)), options.cache);
  }

  catalog(): Promise<MartCatalog> {
    return this.inSnapshot(async (client) => {
      const refresh = await this.refresh(client);
      const marts = await this.describe(client, refresh);
      if (marts.length === 0) throw new MartsUnavailableError('the marts are not built yet (the projector builds them shortly after it starts)');
      const counts = await client.query<{ name: string; n: bigint }>(
        marts.map((m) => `SELECT '${m.name}' AS name, count(*) AS n FROM mart.${quoted(m.name)}`).join(' UNION ALL '),
      );
      const rows = new Map(counts.map((c) => [c.name, Number(c.n)]));
      return { refresh, marts: marts.map((m) => ({ ...m, rows: rows.get(m.name) ?? 0 })) };
    });
  }

  read(mart: string, query: MartQuery): Promise<MartPage> {
    if (!MART_NAMES.includes(mart)) return Promise.reject(new UnknownMartError(mart));
    return this.pages.read(mart, query, () => this.inSnapshot(async (client) => {
      const refresh = await this.refresh(client);
      const info = (await this.describe(client, refresh)).find((m) => m.name === mart);
      if (!info) throw new MartsUnavailableError(`mart ${mart} is not built yet`);
      const { where, orderBy, params } = martSelect(info, query);
      const table = `mart.${quoted(mart)}`;
      const total = Number(await client.scalar<bigint>(`SELECT count(*) FROM ${table}${where}`, params.length > 0 ? params : undefined));
      const reader = await client.connection.runAndReadAll(
        `SELECT ${info.columns.map((c) => quoted(c.name)).join(', ')} FROM ${table}${where} ORDER BY ${orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, BigInt(query.limit), BigInt(query.offset)],
      );
      const rows = reader.convertRowObjects(jsonValue) as MartRow[];
      return { mart, refresh, columns: info.columns, total, limit: query.limit, offset: query.offset, rows };
    }));
  }

  currentRefresh(): Promise<MartRefresh> {
    return this.pages.latest();
  }

  /** Runs `fn` on a connection of its own (at most `concurrency` at once). */
  private async withConnection<T>(fn: (client: DuckDbClient) => Promise<T>): Promise<T> {
    await this.slots.acquire();
    let client: DuckDbClient | undefined;
    try {
      client = await this.db.connect();
      return await fn(client);
    } finally {
      client?.close();
      this.slots.release();
    }
  }

  /** Runs `fn` in a READ ONLY transaction on a connection of its own. */
  private inSnapshot<T>(fn: (client: DuckDbClient) => Promise<T>): Promise<T> {
    return this.withConnection(async (client) => {
      await client.run('BEGIN TRANSACTION READ ONLY');
      try {
        return await fn(client);
      } finally {
        await client.run('ROLLBACK').catch(() => undefined);
      }
    });
  }

  private async refresh(client: DuckDbClient): Promise<MartRefresh> {
    let row: { sequence: bigint; refreshed_at: Date | null; checkpoint: string | null; events_projected: bigint | null } | undefined;
    try {
      row = await client.queryOne(
        `SELECT count(*) AS sequence, max(refreshed_at) AS refreshed_at, arg_max(checkpoint, refreshed_at) AS checkpoint,
                arg_max(events_projected, refreshed_at) AS events_projected
         FROM mart.refresh_log`,
      );
    } catch (error) {
      // Errors of the native addon may come from another realm (jest VM modules): match the message.
      if (!/refresh_log does not exist|schema.*mart.*does not exist/i.test(String((error as { message?: unknown }).message ?? error))) throw error;
    }
    if (!row || row.refreshed_at === null) throw new MartsUnavailableError('the marts are not built yet (the projector builds them shortly after it starts)');
    return {
      sequence: Number(row.sequence),
      refreshedAt: row.refreshed_at.toISOString(),
      checkpoint: row.checkpoint,
      eventsProjected: row.events_projected === null ? null : Number(row.events_projected),
    };
  }

  /**
   * The marts in this snapshot's catalog, columns in table order. Only a refresh replaces mart tables, and
   * it logs itself in the same transaction, so the catalog is cached per refresh (reading DuckDB's
   * catalog functions costs more than reading a mart).
   */
  private async describe(client: DuckDbClient, refresh: MartRefresh): Promise<ReadonlyArray<Omit<MartInfo, 'rows'>>> {
    const key = refreshKey(refresh);
    if (this.described?.key === key) return this.described.marts;
    const rows = await client.query<CatalogRow>(
      `SELECT t.table_name, t.comment AS table_comment, c.column_name, c.data_type, c.comment AS column_comment
       FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
       WHERE t.database_name = current_database() AND t.schema_name = 'mart'
       ORDER BY t.table_name, c.column_index`,
    );
    const byName = new Map<string, { description: string | null; columns: MartColumn[] }>();
    for (const r of rows) {
      const entry = byName.get(r.table_name) ?? { description: r.table_comment || null, columns: [] };
      entry.columns.push({ name: r.column_name, type: r.data_type, description: r.column_comment || null });
      byName.set(r.table_name, entry);
    }
    const marts = MART_NAMES.filter((n) => byName.has(n)).map((name) => ({ name, table: `mart.${name}`, ...byName.get(name)! }));
    this.described = { key, marts };
    return marts;
  }
}
