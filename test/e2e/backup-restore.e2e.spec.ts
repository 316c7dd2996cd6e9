import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '@olist/config';
import { generateDataset } from '@olist/generator';
import { readManifest, runBackup, runRestore } from '@olist/operations';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';
import { derivedContent, nonDerivedContent } from '../support/read-model-content.js';

const ORDERS = 300;
const SEED = 17;
/** `read` on the embedded database of `settings` (the API stopped). */
const withDatabase = async <T>(settings: Settings, read: (sql: SqlClient) => Promise<T>): Promise<T> => {
  const sql = await createPgliteClient(settings.pgliteDir);
  try {
    return await read(sql);
  } finally {
    await sql.close();
  }
};

/**
 * Disaster recovery, embedded: a loaded system (with rejected rows, a second user and an API key) is backed up,
 * restored into empty stores, and started: its projector rebuilds every read model from the restored log, and
 * every table equals the source's by content hash; users, keys, the audit trail and the data keys come back as
 * they were (the source's admin key works on the restored system).
 */
describe('backup → restore into empty stores → rebuild (embedded)', () => {
  let work: string;
  let source: EmbeddedApi;
  let sourceSettings: Settings;
  let backupDir: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'olist-dw-backup-'));
    process.stdout.write(`backup e2e: ${ORDERS} orders, seed ${SEED}\n`);
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(work, 'data'), defects: true });
    source = await startEmbeddedApi();
    const load = await source.loadAndSettle(join(work, 'data'));
    expect(load.totals.rejected).toBeGreaterThan(0);
    const post = (path: string, body: unknown) => fetch(`${source.url}${path}`, { method: 'POST', headers: { ...source.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/v1/admin/users', { name: 'ana', role: 'analyst' })).status).toBe(201);
    expect((await post('/v1/admin/keys', { user: 'ana' })).status).toBe(201);
    sourceSettings = source.settings;
    await source.close({ keepFiles: true });
    backupDir = join(work, 'backup');
  }, 300_000);

  afterAll(async () => {
    await rm(source?.dir ?? '', { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('writes the log, the non-derived tables and a database dump, with checksums', async () => {
    const sql = await createPgliteClient(sourceSettings.pgliteDir);
    try {
      const manifest = await runBackup(sourceSettings, sql, backupDir, undefined, { pageSize: 97 }); // small pages: many of each
      const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM event_store.events');
      expect(manifest.events).toBe(rows[0]!.n);
      expect(manifest.tables['security_audit.users']).toBe(2);
      expect(manifest.tables['security_audit.data_keys']).toBeGreaterThan(ORDERS / 2);
      expect(manifest.tables['security_audit.audit_log']).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
    expect((await readdir(backupDir)).sort()).toEqual(['database.pglite.tar.gz', 'events.ndjson.gz', 'manifest.json', 'security_audit.ndjson.gz']);
    expect(Object.keys((await readManifest(backupDir)).files).sort()).toEqual(['database.pglite.tar.gz', 'events.ndjson.gz', 'security_audit.ndjson.gz']);
  }, 120_000);

  it('restores into empty stores, and the rebuilt read models equal the source’s, table by table', async () => {
    const target = join(work, 'restored');
    const restoredSettings = loadSettings({
      PGLITE_DIR: join(target, 'pglite'), DUCKDB_PATH: join(target, 'olist.duckdb'), LOG_LEVEL: 'error',
      OLIST_DW_MASTER_KEY_FILE: sourceSettings.masterKeyFile,
    });
    await mkdir(target, { recursive: true });
    const sql = await createPgliteClient(restoredSettings.pgliteDir);
    try {
      const restored = await runRestore(restoredSettings, sql, backupDir, undefined, { pageSize: 97 });
      expect(restored.events).toBe((await readManifest(backupDir)).events);
      // A second restore into the same (now full) stores is refused.
      await expect(runRestore(restoredSettings, sql, backupDir)).rejects.toThrow(/not empty/);
    } finally {
      await sql.close();
    }
    expect(await withDatabase(restoredSettings, nonDerivedContent)).toEqual(await withDatabase(sourceSettings, nonDerivedContent));
    expect(existsSync(restoredSettings.duckdbPath)).toBe(false);

    // Started with the source's admin key (restored with the users), the projector rebuilds everything from the log.
    const restoredApi = await startEmbeddedApi({
      PGLITE_DIR: restoredSettings.pgliteDir, DUCKDB_PATH: restoredSettings.duckdbPath, OLIST_DW_MASTER_KEY_FILE: sourceSettings.masterKeyFile,
      OLIST_DW_ADMIN_KEY: source.adminKey,
    });
    try {
      await restoredApi.waitForProjector();
      const runs = (await (await fetch(`${restoredApi.url}/v1/pipeline-runs`, { headers: restoredApi.headers })).json()) as { runs: Array<{ status: string }> };
      expect(runs.runs.map((r) => r.status)).toEqual(['COMPLETED']);
    } finally {
      await restoredApi.close({ keepFiles: true });
      await rm(restoredApi.dir, { recursive: true, force: true });
    }
    const derivedOf = (settings: Settings) => withDatabase(settings, (sql) => derivedContent(settings.duckdbPath, sql));
    const [expected, actual] = [await derivedOf(sourceSettings), await derivedOf(restoredSettings)];
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect([table, actual[table]]).toEqual([table, expected[table]]);
    expect(expected['core.fact_orders']!.rows).toBe(ORDERS);
    expect(expected['data_quality.invalid_rows']!.rows).toBeGreaterThan(0);
  }, 300_000);

  it('refuses a damaged backup before writing anything', async () => {
    const copy = join(work, 'damaged');
    await cp(backupDir, copy, { recursive: true });
    await appendFile(join(copy, 'events.ndjson.gz'), 'x');
    await mkdir(join(work, 'damaged-target'), { recursive: true });
    const settings = loadSettings({ PGLITE_DIR: join(work, 'damaged-target', 'pglite'), DUCKDB_PATH: join(work, 'damaged-target', 'olist.duckdb') });
    const sql = await createPgliteClient(settings.pgliteDir);
    try {
      await expect(runRestore(settings, sql, copy)).rejects.toThrow(/events\.ndjson\.gz is damaged/);
      const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'event_store'`);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await sql.close();
    }
  });
});
