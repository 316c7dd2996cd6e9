import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbClient, DuckDbDatabase, findUpwards, type SqlParams } from '@olist/duckdb';
import { DuckDbMartReader, MartsUnavailableError, UnknownMartColumnError, UnknownMartError, type MartQuery } from '../src/index.js';

const ALL: MartQuery = { filters: [], order: [], limit: 1000, offset: 0 };
const schemaSql = readFileSync(join(findUpwards(import.meta.url, 'projections/duckdb/marts'), 'mart_schema.sql'), 'utf8');

/**
 * A refresh as MartRefresher makes one: the mart replaced and logged in ONE transaction. Version v has
 * `months` rows, every gmv = v.
 */
const refresh = async (client: DuckDbClient, version: number, options: { months?: number; extraColumn?: boolean } = {}) => {
  await client.transaction(async (tx) => {
    await tx.run(schemaSql);
    await tx.run(`CREATE OR REPLACE TABLE mart.monthly_revenue AS
      SELECT CAST(DATE '2017-01-01' + to_months(CAST(range AS INTEGER)) AS DATE) AS month, CAST(10 + range AS BIGINT) AS orders,
             CAST(${version} AS DECIMAL(18,2)) AS gmv ${options.extraColumn ? ', 1.5 AS extra' : ''}
      FROM range(${options.months ?? 12})`);
    await tx.run("COMMENT ON COLUMN mart.monthly_revenue.gmv IS 'GMV in BRL'");
    await tx.run(`INSERT INTO mart.refresh_log VALUES (TIMESTAMP '2026-01-01 00:00:00' + to_seconds(${version}), 'core_star_schema', '${version}', ${version}, ['mart.monthly_revenue'], 'sha', 1)`);
  });
};

/** A DuckDbClient that runs `afterRefreshRead` right after the reader has read, in its snapshot, which refresh it sees. */
class InterleavingClient extends DuckDbClient {
  private inSnapshot = false;
  constructor(
    client: DuckDbClient,
    private readonly afterRefreshRead: () => Promise<void>,
    private readonly onClose: () => void,
  ) {
    super(client.connection);
  }
  override run(sql: string, params?: SqlParams): Promise<number> {
    if (sql.startsWith('BEGIN')) this.inSnapshot = true;
    return super.run(sql, params);
  }
  override async queryOne<T extends object>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const row = await super.queryOne<T>(sql, params);
    if (this.inSnapshot && sql.includes('mart.refresh_log')) await this.afterRefreshRead();
    return row;
  }
  override close(): void {
    this.onClose();
    super.close();
  }
}

/** A DuckDbClient that counts the snapshots (read transactions) opened on it. */
class SnapshotCountingClient extends DuckDbClient {
  constructor(
    client: DuckDbClient,
    private readonly opened: () => void,
  ) {
    super(client.connection);
  }
  override run(sql: string, params?: SqlParams): Promise<number> {
    if (sql.startsWith('BEGIN')) this.opened();
    return super.run(sql, params);
  }
}

describe('DuckDbMartReader', () => {
  let db: DuckDbDatabase;
  let writer: DuckDbClient;

  beforeEach(async () => {
    db = await DuckDbDatabase.open();
    writer = await db.connect();
  });
  afterEach(() => {
    writer.close();
    db.close();
  });

  it('answers 503 before the first refresh and 404 for a name that is not a mart', async () => {
    const reader = new DuckDbMartReader(db);
    await expect(reader.read('monthly_revenue', ALL)).rejects.toBeInstanceOf(MartsUnavailableError);
    await expect(reader.catalog()).rejects.toMatchObject({ code: 'MART.UNAVAILABLE', kind: 'unavailable' });
    await refresh(writer, 1);
    await expect(reader.read('refresh_log', ALL)).rejects.toBeInstanceOf(UnknownMartError);
    await expect(reader.read('refresh_log', ALL)).rejects.toMatchObject({ code: 'MART.UNKNOWN_MART', kind: 'not_found', details: { mart: 'refresh_log' } });
    await expect(reader.read('customer_segments', ALL)).rejects.toBeInstanceOf(MartsUnavailableError); // not built by this refresh
    expect((await reader.read('monthly_revenue', ALL)).total).toBe(12);
  });

  it('refuses a page it cannot bind (callers other than the HTTP API validate nothing)', async () => {
    const reader = new DuckDbMartReader(db);
    await refresh(writer, 1);
    for (const [query, parameter] of [[{ ...ALL, limit: 0 }, 'limit'], [{ ...ALL, limit: 2.5 }, 'limit'], [{ ...ALL, offset: -1 }, 'offset']] as const) {
      await expect(reader.read('monthly_revenue', query)).rejects.toMatchObject({ name: 'InvalidMartQueryError', code: 'MART.INVALID_QUERY', parameter, details: { parameter } });
    }
  });

  it('a read that a refresh overtakes answers wholly from the refresh it started on', async () => {
    await refresh(writer, 1);
    let overtaken = false;
    const interleaving = {
      connect: async () =>
        new InterleavingClient(await db.connect(), async () => {
          if (overtaken) return;
          overtaken = true;
          await refresh(writer, 2, { months: 20 }); // commits between the reader's statements
        }, () => undefined),
    };
    const reader = new DuckDbMartReader(interleaving);
    const page = await reader.read('monthly_revenue', { ...ALL, limit: 5 });
    expect(overtaken).toBe(true);
    expect([page.refresh.sequence, page.refresh.checkpoint, page.total]).toEqual([1, '1', 12]);
    expect(page.rows.map((r) => r['gmv'])).toEqual([1, 1, 1, 1, 1]);
    const next = await reader.read('monthly_revenue', { ...ALL, limit: 5 });
    expect([next.refresh.sequence, next.refresh.checkpoint, next.total]).toEqual([2, '2', 20]);
    expect(next.rows.map((r) => r['gmv'])).toEqual([2, 2, 2, 2, 2]);
  });

  it('serves a page from memory until a refresh changes the mart, then the new rows', async () => {
    await refresh(writer, 1);
    let snapshots = 0;
    const reader = new DuckDbMartReader({ connect: async () => new SnapshotCountingClient(await db.connect(), () => snapshots++) });
    const page = await reader.read('monthly_revenue', { ...ALL, limit: 5 });
    expect(await reader.read('monthly_revenue', { ...ALL, limit: 5 })).toEqual(page);
    expect(snapshots).toBe(1);
    await refresh(writer, 2, { months: 20 });
    const next = await reader.read('monthly_revenue', { ...ALL, limit: 5 });
    expect([next.refresh.sequence, next.total, next.rows.map((r) => r['gmv'])]).toEqual([2, 20, [2, 2, 2, 2, 2]]);
    expect(await reader.currentRefresh()).toEqual(next.refresh);
    expect(snapshots).toBe(2);
  });

  it('describes each refresh with its own columns (the catalog follows a mart whose SQL changed)', async () => {
    const reader = new DuckDbMartReader(db);
    await refresh(writer, 1);
    expect((await reader.read('monthly_revenue', ALL)).columns.map((c) => c.name)).toEqual(['month', 'orders', 'gmv']);
    await expect(reader.read('monthly_revenue', { ...ALL, filters: [{ column: 'extra', op: 'gte', values: ['1'] }] })).rejects.toBeInstanceOf(UnknownMartColumnError);
    await expect(reader.read('monthly_revenue', { ...ALL, order: [{ column: 'extra', descending: false }] })).rejects.toMatchObject({
      code: 'MART.UNKNOWN_COLUMN',
      kind: 'invalid',
      details: { parameter: 'order' },
    });
    await refresh(writer, 2, { extraColumn: true });
    const page = await reader.read('monthly_revenue', { ...ALL, filters: [{ column: 'extra', op: 'gte', values: ['1'] }] });
    expect(page.columns.map((c) => [c.name, c.type, c.description])).toEqual([
      ['month', 'DATE', null], ['orders', 'BIGINT', null], ['gmv', 'DECIMAL(18,2)', 'GMV in BRL'], ['extra', 'DECIMAL(2,1)', null],
    ]);
    expect(page.rows[0]).toEqual({ month: '2017-01-01', orders: 10, gmv: 2, extra: 1.5 });
  });

  it('runs at most `concurrency` reads at once; the others wait their turn', async () => {
    await refresh(writer, 1);
    let open = 0;
    let most = 0;
    const counting = {
      connect: async () => {
        most = Math.max(most, ++open);
        return new InterleavingClient(await db.connect(), () => new Promise((r) => setTimeout(r, 5)), () => open--);
      },
    };
    const reader = new DuckDbMartReader(counting, { concurrency: 2 });
    const pages = await Promise.all(Array.from({ length: 12 }, (_, i) => reader.read('monthly_revenue', { ...ALL, limit: 1, offset: i })));
    expect(pages.map((p) => p.rows[0]!['orders'])).toEqual(Array.from({ length: 12 }, (_, i) => 10 + i));
    expect(most).toBe(2);
    expect(open).toBe(0);
  });
});
