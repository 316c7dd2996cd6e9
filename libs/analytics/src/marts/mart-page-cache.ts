import type { MartPage, MartQuery, MartRefresh } from './mart-reader.js';

export interface MartPageCacheOptions {
  /** Pages kept at most (default 1,000). */
  readonly maxPages?: number;
  /** Pages kept at most in total size, counted as their JSON text (default 32 MiB); a larger page is not kept. */
  readonly maxBytes?: number;
}

/** What a refresh built: every mart is replaced, and the refresh logged, in one transaction (MartRefresher). */
export const refreshKey = (refresh: MartRefresh): string => `${refresh.sequence}|${refresh.refreshedAt}|${refresh.checkpoint}`;

const pageKey = (mart: string, query: MartQuery): string =>
  JSON.stringify([mart, query.filters.map((f) => [f.column, f.op, f.values]), query.order.map((o) => [o.column, o.descending]), query.limit, query.offset]);

interface Entry {
  readonly page: Promise<MartPage>;
  bytes: number;
}

/**
 * Mart pages as of the refresh the marts are at, kept in memory until the next refresh (a page of one refresh
 * never changes). Every read first asks `current` which refresh that is, by a check that starts after the read
 * arrived (checks run one at a time; the reads that arrive while one runs share the next), so a kept page is
 * served only while no later refresh had committed when the read arrived: never stale. A check that sees a new
 * refresh drops every page; a failed check reads without the cache. LRU, bounded in pages and bytes; a page
 * being read is shared by the reads of the same page that arrive meanwhile.
 */
export class MartPageCache {
  private readonly maxPages: number;
  private readonly maxBytes: number;
  private readonly pages = new Map<string, Entry>();
  private bytes = 0;
  private refresh: string | undefined;
  private nextCheck: Promise<MartRefresh> | undefined;
  private lastCheck: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly current: () => Promise<MartRefresh>,
    options: MartPageCacheOptions = {},
  ) {
    this.maxPages = Math.max(1, options.maxPages ?? 1_000);
    this.maxBytes = Math.max(0, options.maxBytes ?? 32 * 1024 * 1024);
  }

  /** The refresh the marts are at, as a check started after this call sees it. */
  latest(): Promise<MartRefresh> {
    if (this.nextCheck) return this.nextCheck;
    const check = this.lastCheck.then(() => {
      this.nextCheck = undefined; // later callers need a later check
      return this.current();
    });
    this.nextCheck = check;
    this.lastCheck = check.catch(() => undefined);
    return check;
  }

  /** The page from memory if it was read at the current refresh, else `load()`'s (kept if of the current refresh). */
  async read(mart: string, query: MartQuery, load: () => Promise<MartPage>): Promise<MartPage> {
    const latest = await this.latest().catch(() => undefined);
    if (!latest) return load();
    const refresh = refreshKey(latest);
    if (refresh !== this.refresh) this.clear(refresh);
    const key = pageKey(mart, query);
    const kept = this.pages.get(key);
    if (kept) {
      this.pages.delete(key);
      this.pages.set(key, kept);
      return kept.page;
    }
    const entry: Entry = { page: load(), bytes: 0 };
    this.pages.set(key, entry);
    this.evict();
    try {
      const page = await entry.page;
      if (this.pages.get(key) === entry) {
        const bytes = JSON.stringify(page).length + key.length;
        if (refreshKey(page.refresh) !== refresh || bytes > this.maxBytes) {
          this.pages.delete(key); // read after a later refresh committed, or too large to keep
        } else {
          entry.bytes = bytes;
          this.bytes += bytes;
          this.evict();
        }
      }
      return page;
    } catch (error) {
      if (this.pages.get(key) === entry) this.pages.delete(key);
      throw error;
    }
  }

  private clear(refresh: string): void {
    this.pages.clear();
    this.bytes = 0;
    this.refresh = refresh;
  }

  private evict(): void {
    for (const [key, entry] of this.pages) {
      if (this.pages.size <= this.maxPages && this.bytes <= this.maxBytes) return;
      this.pages.delete(key);
      this.bytes -= entry.bytes;
    }
  }
}
