import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_TABLES, STAR_SCHEMA_TABLES } from '@olist/analytics';
import type { RebuildReport } from '@olist/projector';
import { generateDataset } from '@olist/generator';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { ChildApp, PROJECTOR_MAIN, REBUILD_MAIN, seededRandom, sleep, startApiProcess } from '../support/child-apps.js';
import { APPLIED, READY, cleanRunCaughtUp, contentDifferences, eventCount, readModelsProjected, runContent, runsEnded, startCleanRun, starTotal, until } from '../support/server-run.js';
import { generateApiKey } from '@olist/security';

/** Size of the load: small enough for a 1-2 minute test, large enough for many projector batches. */
const ORDERS = Number(process.env.KILL_TEST_ORDERS || 1500);
const ADMIN_KEY = generateApiKey();
/** Kills while the loader runs (the killer keeps going until the load is done AND this many kills happened). */
const MIN_KILLS = 20;
/** Extra kills aimed at the mart refresh a restarted projector runs ~500 ms after it is up. */
const MART_KILLS = 5;
/** The schedule is random but reproducible: KILL_SEED=<seed printed by a run> replays it. */
const SEED = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : Math.floor(Math.random() * 2 ** 31);
const MART_IDLE_MS = 500; // MartRefreshScheduler's default debounce
/** Pause before each loader request while the killer has not had its MIN_KILLS. */
const PACE_MS = 400;

type KillMode = 'booting' | 'projecting' | 'mart-refresh';
interface Kill {
  readonly n: number;
  readonly mode: KillMode;
  readonly delayMs: number;
  readonly duringLoad: boolean;
  /** Batches the star schema projector logged as applied in this life. */
  readonly batches: number;
  /** Spawn to following the log, if the life got that far. */
  readonly readyMs: number | undefined;
  /** Mart refreshes completed in this life. */
  readonly martRefreshes: number;
  /** Size of the DuckDB WAL the next start must replay (0: none). */
  readonly walBytes: number;
}

const MARTS_REFRESHED = /^marts refreshed at checkpoint .* in (\d+) ms$/;

const runRebuildCli = (env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> =>
  new Promise((res) => {
    const started = performance.now();
    const child = spawn(process.execPath, [REBUILD_MAIN, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => res({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });

/**
 * Exactly-once, proven the hard way (issue 4): the API and the projector run as separate processes on
 * the PostgreSQL server; a dataset is loaded through the API while a killer SIGKILLs the projector at
 * random points (while it boots and replays the DuckDB WAL, while it projects batches, while it refreshes
 * the marts) and restarts it. Once the last projector has caught up and stopped, every star-schema table,
 * every mart and every Postgres read-model table must equal a clean run's — a projector never killed,
 * over a copy of the same event log — by content hash.
 */
describe('killing the projector at random points loses and doubles nothing', () => {
  let dir: string;
  let killedDb: TestDatabase;
  let cleanDb: TestDatabase | undefined;
  let api: ChildApp | undefined;
  let apiUrl: string;
  const projectors: ChildApp[] = [];

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }); // the child processes run dist/
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-kill-'));
    await generateDataset({ orders: ORDERS, seed: 7, outDir: join(dir, 'data'), defects: true });
    killedDb = await createTestDatabase('olist_dw_kill');
    ({ app: api, url: apiUrl } = await startApiProcess(
      { ...process.env, DATABASE_URL: killedDb.url, PROJECTOR: 'external', LOG_LEVEL: 'warn', OLIST_DW_ADMIN_KEY: ADMIN_KEY },
      join(dir, 'api.log'),
    ));
  }, 180_000);

  afterAll(async () => {
    for (const p of projectors) await p.kill();
    await api?.stop();
    await killedDb?.drop();
    await cleanDb?.drop();
    if (process.env.KILL_TEST_KEEP) process.stdout.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  });

  it('ends with every table equal to a clean run after 20+ SIGKILLs during a load', async () => {
    const started = performance.now();
    const random = seededRandom(SEED);
    process.stdout.write(`projector kill test: seed ${SEED} (KILL_SEED=${SEED} replays this schedule), ${ORDERS} orders\n`);
    const duckdbPath = join(dir, 'killed.duckdb');
    const projectorEnv = { ...process.env, DATABASE_URL: killedDb.url, DUCKDB_PATH: duckdbPath, LOG_LEVEL: 'debug', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_PORT: '0' };
    const startProjector = () => {
      const app = new ChildApp(PROJECTOR_MAIN, projectorEnv, join(dir, 'projector.log'));
      projectors.push(app);
      return app;
    };
    const walBytes = () => (existsSync(`${duckdbPath}.wal`) ? statSync(`${duckdbPath}.wal`).size : 0);

    let load: LoadSummary | undefined;
    const kills: Kill[] = [];
    // The loader is paced (a pause before each request) until the killer has had its MIN_KILLS, so that
    // they all land while events keep arriving: every restart then has a backlog to catch up on.
    const pacedFetch: typeof fetch = async (input, init) => {
      if (kills.length < MIN_KILLS) await sleep(PACE_MS);
      return fetch(input, init);
    };
    const loading = loadDirectory({ dir: join(dir, 'data'), apiUrl, apiKey: ADMIN_KEY, batchSize: 50, concurrency: 2, fetch: pacedFetch }).then((summary) => (load = summary));
    loading.catch(() => undefined);

    const killOnce = async (mode: KillMode, delayMs: number): Promise<void> => {
      const duringLoad = load === undefined;
      const spawnedAt = performance.now();
      const projector = startProjector();
      if (mode === 'booting') {
        await sleep(delayMs);
        if (!projector.running) throw new Error(`the projector died on its own while starting (life ${kills.length + 1}); see ${dir}/projector.log`);
      } else {
        const ready = await projector.waitForLine(READY, 120_000);
        await sleep(Math.max(0, ready.at + delayMs - performance.now()));
        if (!projector.running) throw new Error(`the projector died on its own (life ${kills.length + 1}); see ${dir}/projector.log`);
      }
      await projector.kill();
      const readyLine = projector.lines.find((l) => READY.test(l.msg));
      kills.push({
        n: kills.length + 1, mode, delayMs: Math.round(delayMs), duringLoad,
        batches: projector.lines.filter((l) => APPLIED.test(l.msg)).length,
        readyMs: readyLine ? Math.round(readyLine.at - spawnedAt) : undefined,
        martRefreshes: projector.lines.filter((l) => MARTS_REFRESHED.test(l.msg)).length,
        walBytes: walBytes(),
      });
    };

    // Phase 1: while the loader runs (and at least MIN_KILLS times), kill at random points of a life.
    while (load === undefined || kills.length < MIN_KILLS) {
      // Booting: the later part of the start-up (DuckDB open with its WAL replay, migrations, init), as last measured.
      const boot = kills.findLast((k) => k.readyMs !== undefined)?.readyMs ?? 2000;
      if (random() < 0.25) await killOnce('booting', (0.4 + 0.6 * random()) * boot);
      else await killOnce('projecting', random() * 1200);
    }
    await loading;
    expect(load!.ok).toBe(true);
    expect(load!.totals.rejected).toBeGreaterThan(0); // the quarantine read model has rows too

    // Phase 2: aim at the mart refresh (one transaction rebuilding every mart) a restarted projector runs
    // MART_IDLE_MS after it is up; the window is the duration of the latest refresh measured.
    const refreshMs = () => Number(MARTS_REFRESHED.exec(projectors.flatMap((p) => p.lines).findLast((l) => MARTS_REFRESHED.test(l.msg))?.msg ?? '')?.[1] ?? 100);
    for (let i = 0; i < MART_KILLS; i++) await killOnce('mart-refresh', MART_IDLE_MS + random() * refreshMs());

    // The last projector catches up and checks the loaded run's quality (its gate appends the run's outcome: a
    // projector stopped before that would leave the clean run below to append it, to its copy only), projects those
    // events too, then stops gracefully (its pending mart refresh runs on the way out).
    const last = startProjector();
    const ready = await last.waitForLine(READY, 120_000);
    await until('the run\'s quality outcome', async () => (await runsEnded(killedDb.url)) === 1);
    const total = await eventCount(killedDb.url);
    await until('the operational read models to catch up', async () => (await readModelsProjected(killedDb.url)) >= total);
    // A projector with nothing left to apply logs no batch: then, 5 s of quiet is caught up.
    const quietFrom = Math.max(ready.at, performance.now());
    await until('the star schema to catch up', () => starTotal(last) >= total || performance.now() - quietFrom > 5000);
    await last.stop();
    expect(walBytes()).toBe(0); // a graceful stop checkpoints the WAL into the file
    const campaignMs = Math.round(performance.now() - started);

    // A clean run over the same event log: a copy of the database with fresh read models, one projector never killed.
    await api!.stop();
    api = undefined;
    const clean = await startCleanRun(killedDb, projectorEnv, dir);
    cleanDb = clean.db;
    projectors.push(clean.projector);
    await cleanRunCaughtUp(clean, total);

    // While a projector holds its DuckDB file, `npm run rebuild` refuses, naming the holder.
    const refused = await runRebuildCli({ ...process.env, DATABASE_URL: clean.db.url, DUCKDB_PATH: clean.duckdbPath, LOG_LEVEL: 'error' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is held by process ${clean.projector.pid}: stop the projector`);
    await clean.projector.stop();

    const [killed, reference] = [await runContent(killedDb.url, duckdbPath), await runContent(clean.db.url, clean.duckdbPath)];
    const tables = Object.keys(reference);
    expect(tables).toEqual(expect.arrayContaining([...STAR_SCHEMA_TABLES, ...MART_TABLES,
      'etl_orchestration.pipeline_runs', 'etl_orchestration.task_executions', 'data_quality.invalid_rows']));
    expect(Object.keys(killed).sort()).toEqual(tables.sort());
    expect(contentDifferences(killed, reference)).toEqual([]);
    for (const t of ['core.fact_order_items', 'mart.monthly_revenue', 'etl_orchestration.task_executions', 'data_quality.invalid_rows']) {
      expect([t, reference[t]!.rows > 0]).toEqual([t, true]); // not vacuous
    }

    // `npm run rebuild` (server mode) over the killed run: everything equal, exit code 0.
    const rebuilt = await runRebuildCli({ ...process.env, DATABASE_URL: killedDb.url, DUCKDB_PATH: duckdbPath, LOG_LEVEL: 'error' });
    const report = JSON.parse(rebuilt.stdout) as RebuildReport;
    expect(report.tables.filter((t) => !t.equal)).toEqual([]);
    expect(rebuilt.code).toBe(0);

    const readyMs = kills.flatMap((k) => (k.readyMs === undefined ? [] : [k.readyMs]));
    process.stdout.write(
      [
        `kill campaign: ${kills.length} SIGKILLs (${kills.filter((k) => k.duringLoad).length} during the load), ${campaignMs} ms until the last projector stopped`,
        `  by mode: ${(['booting', 'projecting', 'mart-refresh'] as const).map((m) => `${m} ${kills.filter((k) => k.mode === m).length}`).join(', ')}`,
        `  lives that reached the log: ${readyMs.length} (spawn to ready ${Math.min(...readyMs)}-${Math.max(...readyMs)} ms); lives that applied batches: ${kills.filter((k) => k.batches > 0).length}; ` +
          `kills leaving a DuckDB WAL to replay: ${kills.filter((k) => k.walBytes > 0).length} (max ${Math.max(...kills.map((k) => k.walBytes))} bytes)`,
        `  mart-refresh kills before the refresh completed: ${kills.filter((k) => k.mode === 'mart-refresh' && k.martRefreshes === 0).length} of ${MART_KILLS} (window ${refreshMs()} ms)`,
        `  ${total} events; ${tables.length} tables compared, all equal; rebuild CLI ${rebuilt.ms} ms`,
        `  schedule: ${kills.map((k) => `${k.mode[0]}${k.delayMs}${k.batches ? `/${k.batches}b` : ''}`).join(' ')}`,
      ].join('\n') + '\n',
    );
  }, 600_000);
});
