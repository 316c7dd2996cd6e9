import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MART_TABLES, STAR_SCHEMA_TABLES } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { generateApiKey } from '@olist/security';
import { ChildApp, PROJECTOR_MAIN, freePort, nodeFlagsOf, sleep, startApiProcess } from '../support/child-apps.js';
import { parseExposition, valueOf } from '../support/prometheus.js';
import { READY, cleanRunCaughtUp, contentDifferences, eventCount, query, runContent, runsEnded, startCleanRun, starTotal, until } from '../support/server-run.js';

/** Size of the load: its star schema (about 11 MB of DuckDB file at 1,500 orders) outgrows the first disk several times. */
const ORDERS = Number(process.env.DISK_FULL_ORDERS || 1500);
/** The generated dataset's seed: DISK_FULL_SEED=<seed printed by a run> loads the same files. */
const SEED = process.env.DISK_FULL_SEED ? Number(process.env.DISK_FULL_SEED) : Math.floor(Math.random() * 2 ** 31);
/**
 * Two lives of the projector on one small disk (the DuckDB file, its WAL, temp dir and query snapshots share it):
 * - the first with DuckDB's default checkpoint threshold (16 MB): only the WAL grows, and its writes meet the full
 *   disk (the batch rolls back); the disk gets STEP_KB more at each stop and each attempt that still fails;
 * - after WAL_STOPS stops it is stopped (SIGTERM) on the full disk and started again with a 1 MB threshold: its
 *   checkpoints now write the file and meet the full disk (DuckDB invalidates the file; the projector attaches it
 *   again), with CHECKPOINT_STEP_KB more each time.
 */
const START_KB = 512;
const STEP_KB = 256;
const WAL_STOPS = 2;
const CHECKPOINT_THRESHOLD = '1MB';
const CHECKPOINT_STEP_KB = 4096;
const MAX_KB = 64 * 1024;
/** Room for the graceful stop's last mart refresh and checkpoint, and for reading the file afterwards. */
const ROOMY_KB = 256 * 1024;
const MAX_STOPS = 15;
/** Pause before each loader request during the first life: the load then lasts into the second. */
const PACE_MS = 150;
const PROJECTION = 'core_star_schema';
const ADMIN_KEY = generateApiKey();

/** `core_star_schema stopped at checkpoint <cp>: DuckDB file <path>: <reason> …` (ProjectorModule's outage log). */
const STOPPED = /^core_star_schema stopped at checkpoint (\S+): DuckDB file (\S+): (No space left on device|File too large|invalidated after a failed write)(?: \(writing (\S+)\))?\. DuckDB: (.+)\. It tries again with back-off \(next in \d+ s\) from the checkpoint stored with the data, and resumes by itself once DuckDB can write \(free space on that disk\)$/s;
const RESUMED = /^core_star_schema resumed from checkpoint (\S+): stopped ([\d.]+) s, (\d+) retr(?:y|ies)$/;
const STILL_STOPPED = /^core_star_schema still stopped at checkpoint/;
const MART_REFRESH_FAILED = /^mart refresh failed \(marts keep their previous content(?:; trying again in \d+ s)?\): DuckDB file/;

/**
 * A disk that runs full under the projector's DuckDB file and can be given more room while the projector runs: a
 * tmpfs (`mount -o remount,size=` grows it), or, where mounting is not allowed, a file-size limit on the projector
 * process (`prlimit --pid` raises it; a write past it fails with EFBIG, "File too large", as Node ignores SIGXFSZ).
 */
interface Disk {
  readonly kind: 'tmpfs' | 'file-size limit';
  readonly dir: string;
  readonly sizeKb: number;
  /** Starts a process whose writes under `dir` meet the limit. */
  spawn(main: string, env: NodeJS.ProcessEnv): ChildProcess;
  /** The limit becomes `kb`. */
  resize(kb: number): void;
  release(): void;
}

const tmpfs = (dir: string, kb: number): Disk | undefined => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    process.stdout.write(`disk-full test: cannot mount a tmpfs (${(error as Error).message.split('\n')[0]}): using a file-size limit instead\n`);
    return undefined;
  }
  let size = kb;
  return {
    kind: 'tmpfs', dir,
    get sizeKb() { return size; },
    spawn: (main, env) => spawn(process.execPath, [...nodeFlagsOf(main, env), main], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    resize: (next) => {
      execFileSync('mount', ['-o', `remount,size=${next}k`, dir]);
      size = next;
    },
    release: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); // still busy (a process that did not exit): detach it now
      }
    },
  };
};

const fileSizeLimit = (dir: string, kb: number): Disk => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error('disk-full test: neither a tmpfs can be mounted nor prlimit (util-linux) run: no way to limit the disk under the DuckDB file');
  }
  let size = kb;
  const children: ChildProcess[] = [];
  return {
    kind: 'file-size limit', dir,
    get sizeKb() { return size; },
    spawn: (main, env) => {
      // prlimit sets the soft limit (the hard one stays unlimited, so it can be raised without privilege) and execs node.
      const child = spawn('prlimit', [`--fsize=${size * 1024}:unlimited`, '--', process.execPath, ...nodeFlagsOf(main, env), main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    resize: (next) => {
      size = next;
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) execFileSync('prlimit', ['--pid', String(child.pid), `--fsize=${next * 1024}:unlimited`], { stdio: 'pipe' });
      }
    },
    release: () => undefined,
  };
};

interface Stop {
  readonly n: number;
  /** 1: DuckDB's default checkpoint threshold, 2: restarted on the full disk with a 1 MB threshold. */
  readonly life: 1 | 2;
  /** The disk's size when it stopped, and once it had resumed. */
  readonly diskKb: number;
  readonly grownToKb: number;
  readonly checkpoint: string;
  readonly reason: string;
  /** The file DuckDB could not write (the WAL, the database file, a temp file), when its message names one. */
  readonly file: string | undefined;
  /** DuckDB invalidated the file (a checkpoint failed), at this stop or an attempt after it. */
  readonly invalidated: boolean;
  /** DuckDB said a commit reached the WAL before the checkpoint after it failed: it resumed after that batch. */
  readonly committed: boolean;
  /** Health and metrics read while stopped (false: it had already resumed by then). */
  readonly observed: boolean;
  /** What a copy of the files on disk said while stopped: its checkpoint and the events it counts (= the log's up to it). */
  readonly durable: { checkpoint: string | null; eventsProjected: number } | undefined;
  readonly resumedFrom: string;
  /** Stop to resume, and the attempts it took. */
  readonly resumedAfterS: number;
  readonly retries: number;
}

const auth = { authorization: `Bearer ${ADMIN_KEY}` };

/** The log's events up to and including `checkpoint` (transaction id, global position). */
const eventsUpTo = async (url: string, checkpoint: string | null): Promise<number> => {
  if (checkpoint === null) return 0;
  const [tx, position] = checkpoint.split(':').map((part) => BigInt(part));
  return Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM event_store.events WHERE (transaction_id, global_position) <= ('${tx}'::text::xid8, ${position})`))[0]!.n);
};

/** The checkpoint row of a copy of the DuckDB file and its WAL: what a crash at that instant would leave. */
const durableCheckpoint = async (duckdbPath: string, copyDir: string): Promise<{ checkpoint: string | null; eventsProjected: number }> => {
  mkdirSync(copyDir, { recursive: true });
  const copy = join(copyDir, 'olist.duckdb');
  copyFileSync(duckdbPath, copy);
  if (existsSync(`${duckdbPath}.wal`)) copyFileSync(`${duckdbPath}.wal`, `${copy}.wal`);
  const db = await DuckDbDatabase.open(copy, { config: { access_mode: 'READ_ONLY' } });
  const client = await db.connect();
  try {
    const row = await client
      .queryOne<{ checkpoint: string | null; events_projected: bigint }>(`SELECT checkpoint, events_projected FROM core.projection_checkpoint WHERE projection = '${PROJECTION}'`)
      .catch((error: Error) => (/does not exist/.test(error.message) ? undefined : Promise.reject(error))); // stopped before its first batch
    return { checkpoint: row?.checkpoint ?? null, eventsProjected: Number(row?.events_projected ?? 0) };
  } finally {
    client.close();
    db.close();
  }
};

type Health = { status: number; body: { details: { details: Record<string, { status: string; message?: string; checkpoint?: string | null; retry?: { attempt: number; at: string } }> } } };

/**
 * Issue 14, item 6: the disk under the DuckDB file runs full while the projector process (server mode) projects a
 * load. Each time, the projector must log one clear error naming the projection, the file and the reason, report
 * itself down (/health, `olistdw_projection_running`), leave on disk what its checkpoint says, and resume by itself
 * once the disk has more room (tmpfs remount, or a raised file-size limit): no restart. It is also stopped and started
 * again on the full disk. At the end every star-schema, mart and read-model table equals a clean run's over the same
 * event log, by content hash.
 */
describe('a full disk under the DuckDB file stops the projector with a clear error; it resumes by itself once there is room', () => {
  let dir: string;
  let db: TestDatabase;
  let cleanDb: TestDatabase | undefined;
  let api: ChildApp | undefined;
  let disk: Disk | undefined;
  const projectors: ChildApp[] = [];
  const loader = new AbortController();

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }); // the child processes run dist/
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-disk-full-'));
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(dir, 'data'), defects: true });
    db = await createTestDatabase('olist_dw_disk_full');
  }, 180_000);

  afterAll(async () => {
    loader.abort();
    for (const p of projectors) await p.kill();
    disk?.release(); // even when the test failed: no tmpfs left mounted
    await api?.kill();
    await db?.drop();
    await cleanDb?.drop();
    if (process.env.DISK_FULL_KEEP) process.stdout.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('stops at each full disk with the error, the health and the metric saying so, the checkpoint durable; resumes by itself; equals a clean run', async () => {
    const started = performance.now();
    const diskDir = join(dir, 'disk');
    mkdirSync(diskDir);
    disk = (process.env.DISK_FULL_MODE === 'fsize' ? undefined : tmpfs(diskDir, START_KB)) ?? fileSizeLimit(diskDir, START_KB);
    process.stdout.write(`disk-full test: seed ${SEED} (DISK_FULL_SEED=${SEED} loads the same files), ${ORDERS} orders, ${disk.kind} of ${START_KB} KB under the DuckDB file\n`);

    const duckdbPath = join(diskDir, 'olist.duckdb');
    const port = await freePort();
    const projectorUrl = `http://127.0.0.1:${port}`;
    let apiUrl: string;
    ({ app: api, url: apiUrl } = await startApiProcess(
      { ...process.env, DATABASE_URL: db.url, PROJECTOR: 'external', PROJECTOR_URL: projectorUrl, LOG_LEVEL: 'warn', OLIST_DW_ADMIN_KEY: ADMIN_KEY },
      join(dir, 'api.log'),
    ));
    const projectorEnv = { ...process.env, DATABASE_URL: db.url, DUCKDB_PATH: duckdbPath, LOG_LEVEL: 'debug', PROJECTOR_HOST: '127.0.0.1', PROJECTOR_PORT: String(port) };
    const startProjector = (env: NodeJS.ProcessEnv) => {
      const app = new ChildApp(PROJECTOR_MAIN, env, join(dir, 'projector.log'), disk!.spawn(PROJECTOR_MAIN, env));
      projectors.push(app);
      return app;
    };
    let life: 1 | 2 = 1;
    let projector = startProjector(projectorEnv);
    await projector.waitForLine(READY, 120_000);

    let load: LoadSummary | undefined;
    const pacedFetch: typeof fetch = async (input, init) => {
      if (life === 1) await sleep(PACE_MS);
      return fetch(input, init);
    };
    const loading = loadDirectory({ dir: join(dir, 'data'), apiUrl, apiKey: ADMIN_KEY, batchSize: 100, concurrency: 2, fetch: pacedFetch, signal: loader.signal }).then((summary) => (load = summary));
    loading.catch(() => undefined);

    const health = async (): Promise<Health> => {
      const answer = await fetch(`${projectorUrl}/health`);
      return { status: answer.status, body: (await answer.json()) as Health['body'] };
    };
    const metric = async (name: string, labels: Record<string, string>) =>
      valueOf(parseExposition(await (await fetch(`${projectorUrl}/metrics`, { headers: auth })).text()), name, labels);
    const projectionStatus = async () =>
      ((await (await fetch(`${projectorUrl}/v1/projections/status`, { headers: auth })).json()) as { projections: Array<{ name: string; running: boolean; lagEvents: number; error: string | null; retry: { attempt: number } | null }> }).projections;
    const caughtUp = async () => {
      if (!load || (await runsEnded(db.url)) !== 1) return false;
      const projections = await projectionStatus();
      return projections.length === 2 && projections.every((p) => p.running && p.lagEvents === 0);
    };
    const martReads: string[] = [];
    const stops: Stop[] = [];
    let seen = 0; // log lines of the current life looked at

    /** Waits for the next stop (true) or for the load to be projected (false); checks what the operator sees, gives room, waits for the resume. */
    const nextStop = async (stepKb: number): Promise<boolean> => {
      let at = -1;
      await until('a stop on the full disk, or the load projected', async () => {
        if (!projector.running) throw new Error(`the projector exited (${projector.child.exitCode ?? projector.child.signalCode}); see ${dir}/projector.log`);
        at = projector.lines.findIndex((l, i) => i >= seen && STOPPED.test(l.msg));
        return at >= 0 || (await caughtUp());
      }, 240_000);
      if (at < 0) return false;
      const line = projector.lines[at]!;
      seen = at + 1;
      const [, logged, file, reason, writing, duckdbMessage] = STOPPED.exec(line.msg)!;
      const checkpoint = logged === '(start)' ? null : logged!; // stopped before its first batch
      expect(file).toBe(duckdbPath);
      expect(line.level).toBe(50); // error
      const resumedEarly = () => projector.lines.slice(seen).some((l) => RESUMED.test(l.msg));

      const [answer, running, duckdbUp, status] = [
        await health(), await metric('olistdw_projection_running', { projection: PROJECTION }), await metric('olistdw_up', { component: 'duckdb' }), await projectionStatus(),
      ];
      const observed = !resumedEarly();
      let durable: Stop['durable'];
      if (observed) {
        // /health: 503, the star schema down with the same message and its next attempt; the read models up.
        expect(answer.status).toBe(503);
        const star = answer.body.details.details[PROJECTION]!;
        expect(star).toMatchObject({ status: 'down', retry: { attempt: expect.any(Number), at: expect.any(String) } });
        expect(star.message).toContain(`DuckDB file ${duckdbPath}: ${reason}`);
        if (!/COMMIT succeeded/.test(duckdbMessage!)) expect(star.checkpoint).toBe(checkpoint);
        expect(answer.body.details.details['operational_read_models']!.status).toBe('up');
        expect(answer.body.details.details['duckdb']!.status).toBe('up'); // the file still answers reads (attached again if DuckDB invalidated it)
        expect(running).toBe(0);
        expect(duckdbUp).toBe(1);
        expect(status.find((p) => p.name === PROJECTION)).toMatchObject({ running: false, error: expect.stringContaining(`DuckDB file ${duckdbPath}`), retry: { attempt: expect.any(Number) } });
        // Analysts keep reading the marts as last refreshed (or are told they are not built yet): never a 500.
        const read = await fetch(`${apiUrl}/v1/marts/monthly_revenue`, { headers: auth });
        martReads.push(read.ok ? String(read.status) : `${read.status} ${((await read.json()) as { code: string }).code}`);
        expect(read.status).not.toBe(500);
        // On disk: the checkpoint it stopped at (or, if DuckDB says the failed commit reached the WAL, the next one),
        // counting every event of the log up to it: nothing past what was written, nothing lost before it.
        const onDisk = await durableCheckpoint(duckdbPath, join(dir, 'copies', String(stops.length + 1)));
        if (!resumedEarly()) { // (no attempt got through while it was copied)
          expect((onDisk.checkpoint ?? '') >= (checkpoint ?? '')).toBe(true);
          if (!/COMMIT succeeded/.test(duckdbMessage!)) expect(onDisk.checkpoint).toBe(checkpoint);
          expect(onDisk.eventsProjected).toBe(await eventsUpTo(db.url, onDisk.checkpoint));
          durable = onDisk;
        }
      }

      // More room, and more again each time an attempt still fails (a checkpoint needs room for the blocks it writes).
      const diskKb = disk!.sizeKb;
      let failedAttempts = -1;
      await until(() => `the projector to resume by itself; its log since the stop:\n${projector.lines.slice(seen).slice(-20).map((l) => l.msg).join('\n')}`, () => {
        const since = projector.lines.slice(seen);
        if (since.some((l) => RESUMED.test(l.msg))) return true;
        const failed = since.filter((l) => STILL_STOPPED.test(l.msg)).length;
        if (failed > failedAttempts) {
          if (disk!.sizeKb + stepKb > MAX_KB) throw new Error(`still stopped with ${disk!.sizeKb} KB; see ${dir}/projector.log`);
          disk!.resize(disk!.sizeKb + stepKb);
          failedAttempts = failed;
        }
        return false;
      }, 120_000);
      const outage = projector.lines.slice(at, projector.lines.findIndex((l, i) => i > at && RESUMED.test(l.msg)) + 1);
      const [, from, seconds, retries] = RESUMED.exec(outage.at(-1)!.msg)!;
      // From the checkpoint stored with the data: the one it stopped at, or the failed commit's if that one reached the WAL.
      expect(from! >= logged!).toBe(true);
      if (durable) expect(from).toBe(durable.checkpoint ?? '(start)');
      stops.push({
        n: stops.length + 1, life, diskKb, grownToKb: disk!.sizeKb, checkpoint: logged!, reason: reason!, file: writing ?? file,
        // At this stop or at an attempt after it (the first attempt after a failed WAL write may meet a checkpoint).
        invalidated: outage.some((l) => /invalidated/.test(l.msg)), committed: outage.some((l) => /COMMIT succeeded/.test(l.msg)),
        observed, durable, resumedFrom: from!, resumedAfterS: Number(seconds), retries: Number(retries),
      });
      if (stops.length >= MAX_STOPS) throw new Error(`${MAX_STOPS} stops and still not done; see ${dir}/projector.log`);
      return true;
    };

    // Life 1: DuckDB's default checkpoint threshold: the WAL's writes meet the full disk.
    while (stops.length < WAL_STOPS && (await nextStop(STEP_KB)));
    // Stopped on the full disk (its last mart refresh and the checkpoint at close fail: the WAL keeps every commit),
    // and started again on it, with checkpoints every megabyte of WAL.
    const walBeforeRestart = existsSync(`${duckdbPath}.wal`) ? statSync(`${duckdbPath}.wal`).size : 0;
    await projector.stop();
    expect([projector.child.exitCode, projector.child.signalCode]).toEqual([null, 'SIGTERM']); // Nest's shutdown hooks ran, then re-raised the signal
    life = 2;
    seen = 0;
    projector = startProjector({ ...projectorEnv, DUCKDB_CHECKPOINT_THRESHOLD: CHECKPOINT_THRESHOLD });
    // Life 2: each checkpoint needs room for the file's new blocks.
    while (await nextStop(CHECKPOINT_STEP_KB));

    await loading;
    expect(load!.ok).toBe(true);
    expect(load!.totals.rejected).toBeGreaterThan(0); // the quarantine read model has rows too
    const total = await eventCount(db.url);
    expect(starTotal(projector)).toBe(total);

    // Stops in both lives: WAL writes refused (rolled back) in the first, checkpoints refused (the file invalidated and
    // attached again) in the second; each seen by the operator and each leaving on disk what the checkpoint said.
    expect(stops.filter((s) => s.life === 1).length).toBeGreaterThanOrEqual(1);
    expect(stops.filter((s) => s.life === 2 && s.invalidated).length).toBeGreaterThanOrEqual(1);
    expect(stops.filter((s) => s.durable).length).toBeGreaterThanOrEqual(2);
    expect(stops.every((s) => s.reason === (disk!.kind === 'tmpfs' ? 'No space left on device' : 'File too large') || s.reason === 'invalidated after a failed write')).toBe(true);

    // Room for the last mart refresh and checkpoint of a graceful stop.
    disk.resize(ROOMY_KB);
    await projector.stop();
    expect([projector.child.exitCode, projector.child.signalCode]).toEqual([null, 'SIGTERM']);
    const campaignMs = Math.round(performance.now() - started);

    // A clean run over the same event log: a copy of the database with fresh read models, one projector on a roomy disk.
    await api!.stop();
    api = undefined;
    const clean = await startCleanRun(db, projectorEnv, dir);
    cleanDb = clean.db;
    projectors.push(clean.projector);
    await cleanRunCaughtUp(clean, total);
    await clean.projector.stop();

    const [full, reference] = [await runContent(db.url, duckdbPath), await runContent(clean.db.url, clean.duckdbPath)];
    expect(Object.keys(reference)).toEqual(expect.arrayContaining([...STAR_SCHEMA_TABLES, ...MART_TABLES,
      'etl_orchestration.pipeline_runs', 'etl_orchestration.task_executions', 'data_quality.invalid_rows']));
    expect(contentDifferences(full, reference)).toEqual([]);
    for (const t of ['core.fact_order_items', 'mart.monthly_revenue', 'etl_orchestration.task_executions', 'data_quality.invalid_rows']) {
      expect([t, reference[t]!.rows > 0]).toEqual([t, true]); // not vacuous
    }
    // Nothing lost, nothing doubled: the checkpoint row counts every event of the log once, as the clean run's does.
    expect(full['core.projection_checkpoint (checkpoint, events_projected)']!.hash).toContain(`"events_projected":"${total}"`);

    const lines = projectors.slice(0, 2).flatMap((p) => p.lines);
    const where = (s: Stop) => (s.file ? ` writing ${s.file.slice(diskDir.length + 1)}` : '');
    process.stdout.write(
      [
        `disk-full campaign (${disk.kind} from ${START_KB} KB): ${stops.length} stops, ${stops.length} resumes by itself, 1 restart on the full disk (WAL ${walBeforeRestart} bytes to replay); ` +
          `${campaignMs} ms until the projector stopped; ${total} events, ${Object.keys(reference).length} tables equal to the clean run`,
        ...stops.map((s) => `  stop ${s.n} (life ${s.life}) at ${s.diskKb} KB, resumed at ${s.grownToKb} KB: ${s.reason}${where(s)}${s.invalidated ? ', file invalidated' : ''}${s.committed ? ', commit durable before the checkpoint failed' : ''}; ` +
          `checkpoint ${s.checkpoint}${s.durable ? ` (on disk: ${s.durable.eventsProjected} events)` : ''}${s.observed ? '' : ' (resumed before it was observed)'}; resumed from ${s.resumedFrom === s.checkpoint ? 'it' : s.resumedFrom} after ${s.resumedAfterS} s, ${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}`),
        `  further failed attempts logged: ${lines.filter((l) => STILL_STOPPED.test(l.msg)).length}; mart refreshes failed on the full disk: ${lines.filter((l) => MART_REFRESH_FAILED.test(l.msg)).length}; mart reads while stopped: ${martReads.join(', ') || 'none'}`,
        `  first error: ${lines.find((l) => STOPPED.test(l.msg))!.msg}`,
      ].join('\n') + '\n',
    );
  }, 600_000);
});
