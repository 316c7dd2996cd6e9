import { MartPageCache, type MartPage, type MartQuery, type MartRefresh } from '../src/index.js';

const QUERY: MartQuery = { filters: [], order: [], limit: 10, offset: 0 };
const at = (sequence: number): MartRefresh => ({ sequence, refreshedAt: `2026-01-01T00:00:0${sequence}.000Z`, checkpoint: String(sequence), eventsProjected: sequence });

/** The marts as a reader sees them: each refresh replaces every page; `loads` counts the pages read. */
class Marts {
  refresh = at(1);
  loads = 0;
  checks = 0;
  current = async (): Promise<MartRefresh> => {
    this.checks++;
    return this.refresh;
  };
  load = (mart: string, query: MartQuery, rows = 1) => async (): Promise<MartPage> => {
    this.loads++;
    const refresh = this.refresh;
    await new Promise((resolve) => setImmediate(resolve));
    const values = Array.from({ length: rows }, (_, i) => ({ mart, offset: query.offset + i, sequence: refresh.sequence }));
    return { mart, refresh, columns: [], total: 100, limit: query.limit, offset: query.offset, rows: values };
  };
}

describe('MartPageCache', () => {
  it('serves a page again from memory until a refresh, then reads the new one', async () => {
    const marts = new Marts();
    const cache = new MartPageCache(marts.current);
    const first = await cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY));
    expect(await cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY))).toBe(first);
    expect(await cache.read('monthly_revenue', { ...QUERY, offset: 10 }, marts.load('monthly_revenue', { ...QUERY, offset: 10 }))).not.toBe(first);
    expect(await cache.read('payment_mix', QUERY, marts.load('payment_mix', QUERY))).not.toBe(first);
    expect(marts.loads).toBe(3);

    marts.refresh = at(2);
    const next = await cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY));
    expect([next.refresh.sequence, next.rows[0]!['sequence']]).toEqual([2, 2]);
    expect(marts.loads).toBe(4);
    // Every page of the old refresh is gone, not only the one read again.
    await cache.read('payment_mix', QUERY, marts.load('payment_mix', QUERY));
    expect(marts.loads).toBe(5);
  });

  it('checks the refresh after the read arrived: a read that comes while a check runs waits for the next', async () => {
    const marts = new Marts();
    let hold: Promise<void> | undefined;
    const cache = new MartPageCache(async () => {
      const seen = await marts.current(); // what the marts are at when the check starts
      if (hold) await hold;
      return seen;
    });
    const first = await cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY));
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const before = [0, 1].map(() => cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY)));
    await new Promise((resolve) => setImmediate(resolve)); // their check has seen refresh 1
    hold = undefined;
    marts.refresh = at(2); // commits while that check runs
    const after = [0, 1].map(() => cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY)));
    release();
    expect(await Promise.all(before)).toEqual([first, first]); // asked before the refresh committed
    const [page, same] = await Promise.all(after);
    expect([page!.refresh.sequence, page!.rows[0]!['sequence']]).toEqual([2, 2]);
    expect(same).toBe(page);
    expect([marts.checks, marts.loads]).toEqual([3, 2]); // the reads that arrive while a check runs share the next one
  });

  it('reads a page once for the reads of it that arrive while it is read', async () => {
    const marts = new Marts();
    const cache = new MartPageCache(marts.current);
    const pages = await Promise.all(Array.from({ length: 5 }, () => cache.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY))));
    expect(new Set(pages).size).toBe(1);
    expect(marts.loads).toBe(1);
  });

  it('keeps at most maxPages pages, the least recently read leaving first', async () => {
    const marts = new Marts();
    const cache = new MartPageCache(marts.current, { maxPages: 2 });
    const read = (offset: number) => cache.read('monthly_revenue', { ...QUERY, offset }, marts.load('monthly_revenue', { ...QUERY, offset }));
    await read(0);
    await read(10);
    await read(0); // kept; now the most recently read
    await read(20); // evicts offset 10
    expect(marts.loads).toBe(3);
    await read(0);
    await read(20);
    expect(marts.loads).toBe(3);
    await read(10);
    expect(marts.loads).toBe(4);
  });

  it('keeps at most maxBytes of pages (as JSON text), and never a page larger than that', async () => {
    const marts = new Marts();
    const size = JSON.stringify(await marts.load('monthly_revenue', QUERY, 50)()).length;
    const cache = new MartPageCache(marts.current, { maxBytes: 2 * size + 500 });
    const read = (offset: number, rows = 50) => cache.read('monthly_revenue', { ...QUERY, offset }, marts.load('monthly_revenue', { ...QUERY, offset }, rows));
    marts.loads = 0;
    await read(0);
    await read(100);
    await read(0);
    await read(100);
    expect(marts.loads).toBe(2);
    await read(200); // the third does not fit: the least recently read (offset 0) leaves
    await read(100);
    expect(marts.loads).toBe(3);
    await read(0);
    expect(marts.loads).toBe(4);

    await read(300, 200); // larger than the whole bound: answered, not kept, and nothing else evicted for it
    await read(300, 200);
    await read(100);
    await read(0);
    expect(marts.loads).toBe(6);
  });

  it('keeps no failed read, and reads without the cache when the check fails', async () => {
    const marts = new Marts();
    const cache = new MartPageCache(marts.current);
    const failing = async (): Promise<MartPage> => {
      marts.loads++;
      throw new Error('mart not built yet');
    };
    await expect(cache.read('monthly_revenue', QUERY, failing)).rejects.toThrow('mart not built yet');
    await expect(cache.read('monthly_revenue', QUERY, failing)).rejects.toThrow('mart not built yet');
    expect(marts.loads).toBe(2);

    const unchecked = new MartPageCache(() => Promise.reject(new Error('projector unreachable')));
    await unchecked.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY));
    await unchecked.read('monthly_revenue', QUERY, marts.load('monthly_revenue', QUERY));
    expect(marts.loads).toBe(4);
  });
});
