import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadSettings, type Settings } from '@olist/config';
import { generateDataset } from '@olist/generator';
import { loadDirectory } from '@olist/loader';
import { readManifest, runBackup, runRestore } from '@olist/operations';
import { createPgClient, createTestDatabase, type SqlClient, type TestDatabase } from '@olist/postgres';
import { generateApiKey } from '@olist/security';
import { createApiApp } from '../../apps/api/src/main.js';
import { derivedContent, nonDerivedContent } from '../support/read-model-content.js';

const ORDERS = 300;
const SEED = 19;
const ADMIN_KEY = generateApiKey();

const withDatabase = async <T>(url: string, read: (sql: SqlClient) => Promise<T>): Promise<T> => {
  const sql = createPgClient(url, { max: 2 });
  try {
    return await read(sql);
  } finally {
    await sql.close();
  }
};

/** The API (with its projector in-process) on a server database until `settle` has run. */
const runApi = async (settings: Settings, settle: (url: string) => Promise<void>): Promise<void> => {
  const app: INestApplication = await createApiApp(settings);
  try {
    await app.listen(0, '127.0.0.1');
    await settle(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
  } finally {
    await app.close();
  }
};

const caughtUp = async (url: string): Promise<void> => {
  const status = (await (await fetch(`${url}/v1/projections/status?waitMs=120000`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { caughtUp?: boolean };
  expect(status.caughtUp).toBe(true);
};

/**
 * Disaster recovery, server mode: a loaded system on a PostgreSQL database is backed up (pg_dump included), restored
 * into a new empty database, and the projector rebuilds every read model from the restored log: each table equals
 * the source's by content hash.
 */
describe('backup → restore into a new database → rebuild (server mode)', () => {
  let work: string;
  let source: TestDatabase;
  let target: TestDatabase;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'olist-dw-backup-pg-'));
    source = await createTestDatabase('olist_dw_backup_src');
    target = await createTestDatabase('olist_dw_backup_dst');
  });

  afterAll(async () => {
    await source?.drop();
    await target?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('restores the log and the non-derived tables, and the rebuilt read models equal the source’s', async () => {
    process.stdout.write(`backup (server mode): ${ORDERS} orders, seed ${SEED}\n`);
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(work, 'data'), defects: true });
    const settingsOf = (db: TestDatabase, name: string) => loadSettings({
      DATABASE_URL: db.url, PROJECTOR: 'in-process', DUCKDB_PATH: join(work, `${name}.duckdb`), LOG_LEVEL: 'error',
      OLIST_DW_ADMIN_KEY: ADMIN_KEY, OLIST_DW_MASTER_KEY_FILE: join(work, 'master.key'),
    });
    const sourceSettings = settingsOf(source, 'source');
    await runApi(sourceSettings, async (url) => {
      const load = await loadDirectory({ dir: join(work, 'data'), apiUrl: url, apiKey: ADMIN_KEY, batchSize: 200, qualityWaitMs: 120_000 });
      expect(load.ok).toBe(true);
      expect(load.totals.rejected).toBeGreaterThan(0);
      await caughtUp(url);
    });

    const backupDir = join(work, 'backup');
    const manifest = await withDatabase(source.url, (sql) => runBackup(sourceSettings, sql, backupDir));
    expect((await readdir(backupDir)).sort()).toEqual(['database.pgdump', 'events.ndjson.gz', 'manifest.json', 'security_audit.ndjson.gz']);
    expect(manifest.events).toBeGreaterThan(ORDERS * 5);
    expect((await readManifest(backupDir)).files['database.pgdump']!.bytes).toBeGreaterThan(10_000);

    const targetSettings = settingsOf(target, 'target');
    const restored = await withDatabase(target.url, (sql) => runRestore(targetSettings, sql, backupDir));
    expect(restored.events).toBe(manifest.events);
    expect(await withDatabase(target.url, nonDerivedContent)).toEqual(await withDatabase(source.url, nonDerivedContent));

    await runApi(targetSettings, caughtUp); // its first start: the projector replays the restored log
    const expected = await withDatabase(source.url, (sql) => derivedContent(sourceSettings.duckdbPath, sql));
    const actual = await withDatabase(target.url, (sql) => derivedContent(targetSettings.duckdbPath, sql));
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect([table, actual[table]]).toEqual([table, expected[table]]);
    expect(expected['core.fact_orders']!.rows).toBe(ORDERS);
  }, 600_000);
});
