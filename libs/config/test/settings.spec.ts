import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbDatabase } from '@olist/duckdb';
import { DEFAULT_DUCKDB_MEMORY_LIMIT, DEFAULT_PROJECTOR_LINGER_MS, duckdbOwnerConfig, loadSettings, PROJECTOR_HEAP_LIMIT_MB, projectorNodeFlags } from '@olist/config';

describe('the DuckDB owner’s memory', () => {
  it('is bounded by default, and spills next to the DuckDB file', () => {
    const settings = loadSettings({ DUCKDB_PATH: '/data/dw/olist.duckdb' });
    expect(DEFAULT_DUCKDB_MEMORY_LIMIT).toBe('256MB');
    expect(duckdbOwnerConfig(settings)).toEqual({ memory_limit: '256MB', temp_directory: '/data/dw/duckdb-tmp', allocator_background_threads: 'true' });
  });

  it('takes DUCKDB_MEMORY_LIMIT and DUCKDB_TEMP_DIR', () => {
    const settings = loadSettings({ DUCKDB_MEMORY_LIMIT: ' 512MB ', DUCKDB_TEMP_DIR: '/scratch/spill' });
    expect(duckdbOwnerConfig(settings)).toEqual({ memory_limit: '512MB', temp_directory: '/scratch/spill', allocator_background_threads: 'true' });
  });

  it('takes STAR_SCHEMA_CACHE_ENTRIES (default 200,000) and refuses a value that is not a positive integer', () => {
    expect(loadSettings({}).starSchemaCacheEntries).toBe(200_000);
    expect(loadSettings({ STAR_SCHEMA_CACHE_ENTRIES: '5000' }).starSchemaCacheEntries).toBe(5000);
    expect(() => loadSettings({ STAR_SCHEMA_CACHE_ENTRIES: 'many' })).toThrow(/STAR_SCHEMA_CACHE_ENTRIES/);
  });

  it('takes PROJECTOR_LINGER_MS (0 allowed: no lingering) and refuses a value that is not a non-negative integer', () => {
    expect(loadSettings({}).projectorLingerMs).toBe(DEFAULT_PROJECTOR_LINGER_MS);
    expect(loadSettings({ PROJECTOR_LINGER_MS: '0' }).projectorLingerMs).toBe(0);
    expect(loadSettings({ PROJECTOR_LINGER_MS: '250' }).projectorLingerMs).toBe(250);
    expect(() => loadSettings({ PROJECTOR_LINGER_MS: '-1' })).toThrow(/PROJECTOR_LINGER_MS/);
    expect(() => loadSettings({ PROJECTOR_LINGER_MS: '0.5' })).toThrow(/PROJECTOR_LINGER_MS/);
  });

  it('takes DUCKDB_CHECKPOINT_THRESHOLD (unset: DuckDB\'s own)', () => {
    const settings = loadSettings({ DUCKDB_PATH: '/data/dw/olist.duckdb', DUCKDB_CHECKPOINT_THRESHOLD: '4MB' });
    expect(duckdbOwnerConfig(settings)).toEqual({ memory_limit: '256MB', temp_directory: '/data/dw/duckdb-tmp', allocator_background_threads: 'true', checkpoint_threshold: '4MB' });
  });

  it('is what an instance opened with that configuration reports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'olist-settings-'));
    const db = await DuckDbDatabase.open(join(dir, 'olist.duckdb'), {
      compactable: true,
      config: duckdbOwnerConfig(loadSettings({ DUCKDB_PATH: join(dir, 'olist.duckdb'), DUCKDB_MEMORY_LIMIT: '300MB' })),
    });
    try {
      const client = await db.connect();
      const row = await client.queryOne<{ memory: string; temp: string; background: boolean }>(
        `SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS temp,
                current_setting('allocator_background_threads') AS background`,
      );
      client.close();
      expect(row).toEqual({
        memory: expect.stringMatching(/^(28[0-9]|29[0-9]|300)\.?\d* MiB$/),
        temp: join(dir, 'duckdb-tmp'),
        background: true,
      });
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the projector process’s heap', () => {
  /** The V8 heap limit (MB) of a Node process started with `flags` and NODE_OPTIONS `nodeOptions`. */
  const heapLimitMb = (flags: ReadonlyArray<string>, nodeOptions: string): number =>
    Number(execFileSync(process.execPath, [...flags, '-p', 'require("v8").getHeapStatistics().heap_size_limit'], {
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
      encoding: 'utf8',
    })) / 2 ** 20;

  it(`is limited to ${PROJECTOR_HEAP_LIMIT_MB} MB of old space unless NODE_OPTIONS sets a limit`, () => {
    const limited = heapLimitMb(projectorNodeFlags(undefined), '');
    expect(limited).toBeGreaterThanOrEqual(PROJECTOR_HEAP_LIMIT_MB);
    expect(limited).toBeLessThan(PROJECTOR_HEAP_LIMIT_MB + 128); // plus the young generation
    expect(projectorNodeFlags('--max-old-space-size=2048 --trace-warnings')).toEqual([]);
    expect(projectorNodeFlags('--max_old_space_size=2048')).toEqual([]);
    expect(heapLimitMb(projectorNodeFlags('--max-old-space-size=2048'), '--max-old-space-size=2048')).toBeGreaterThanOrEqual(2048);
  });
});
