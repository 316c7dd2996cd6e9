import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateDataset } from '@olist/generator';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { seededRandom, sleep } from '../support/child-apps.js';
import { OwnPostgres, type StopMode } from '../support/own-postgres.js';
import { outcomeDifferences, runOutcome, type RunOutcome } from '../support/run-outcome.js';
import { ServerSystem } from '../support/server-system.js';

const ORDERS = 800;
const SEED = process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : Math.floor(Math.random() * 2 ** 31);
const RESTARTS: ReadonlyArray<StopMode> = ['fast', 'immediate', 'fast'];
const API_KILLS = 4;
const ADMIN_KEY = generateApiKey();
const LOST_ANSWER = /an earlier attempt was written but not answered/;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly what: string;
}

/** The per-file counts of a load: each row's outcome, summed. */
const outcomes = (summary: LoadSummary) => summary.files.map((f) => [f.file, f.rowsRead, f.accepted, f.duplicates, f.rejected, f.eventsAppended]);

/**
 * Issue 14, items 1 and 2: a server-mode system (API and projector processes on PostgreSQL) loads a dataset
 * while (1) its PostgreSQL server is stopped and started again, once by crashing it, or (2) its API is
 * SIGKILLed mid-batch and started again. The loader goes on by itself (retries; each batch carries an
 * Idempotency-Key, so a batch written but not answered gets its first answer), and every row's outcome, the
 * log, the star schema, the marts and the read models equal those of a clean run of the same files.
 */
describe('faults during a load (server mode)', () => {
  let dir: string;
  let cleanDb: TestDatabase | undefined;
  let killedDb: TestDatabase | undefined;
  let server: OwnPostgres | undefined;
  const systems: ServerSystem[] = [];
  let reference: RunOutcome;
  let referenceSummary: LoadSummary;
  const random = seededRandom(SEED);

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }); // the child processes run dist/
    process.stdout.write(`faults: seed ${SEED} (FAULTS_SEED=${SEED} replays the schedule), ${ORDERS} orders\n`);
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-faults-'));
    await generateDataset({ orders: ORDERS, seed: 23, outDir: join(dir, 'data'), defects: true });
    cleanDb = await createTestDatabase('olist_dw_clean');
    await mkdir(join(dir, 'clean'));
    const clean = await ServerSystem.start({ dbUrl: cleanDb.url, dir: join(dir, 'clean'), adminKey: ADMIN_KEY });
    systems.push(clean);
    referenceSummary = await loadDirectory({ dir: join(dir, 'data'), apiUrl: clean.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000 });
    expect(referenceSummary.ok).toBe(true);
    expect(referenceSummary.totals.rejected).toBeGreaterThan(0);
    await clean.caughtUp();
    await clean.stop();
    reference = await runOutcome(cleanDb.url, clean.duckdbPath);
  }, 300_000);

  afterAll(async () => {
    for (const s of systems) await s.kill();
    await server?.destroy();
    await cleanDb?.drop();
    await killedDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The load's summary and the system's outcome equal the clean run's. */
  const expectCleanOutcome = async (summary: LoadSummary, dbUrl: string, system: ServerSystem): Promise<void> => {
    expect(summary.ok).toBe(true);
    expect(summary.runId).toBe(referenceSummary.runId);
    expect(outcomes(summary)).toEqual(outcomes(referenceSummary));
    const outcome = await runOutcome(dbUrl, system.duckdbPath);
    expect(outcome.duplicateEvents).toBe(0);
    expect(outcome.events).toBe(reference.events);
    expect(outcomeDifferences(outcome, reference)).toEqual([]);
  };

  it(`survives ${RESTARTS.length} PostgreSQL restarts: 503 with Retry-After meanwhile, nothing lost or doubled`, async () => {
    server = await OwnPostgres.create();
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE olist_dw_restarted');
    await admin.end();
    const dbUrl = server.url('olist_dw_restarted');
    await mkdir(join(dir, 'restarted'));
    const system = await ServerSystem.start({ dbUrl, dir: join(dir, 'restarted'), adminKey: ADMIN_KEY });
    systems.push(system);
    const projectorPid = system.projector.pid;

    const answers: Answer[] = [];
    let restarts = 0;
    let runId: string | undefined;
    // Paced until the restarts are done, so they all land while rows keep coming.
    const recordingFetch: typeof fetch = async (input, init) => {
      if (restarts < RESTARTS.length) await sleep(120);
      const response = await fetch(input, init);
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after'), what: `${init?.method ?? 'GET'} ${new URL(String(input)).pathname}` });
      return response;
    };
    let summary: LoadSummary | undefined;
    const loading = loadDirectory({
      dir: join(dir, 'data'), apiUrl: system.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000, fetch: recordingFetch,
      onProgress: (e) => void (e.type === 'plan' && (runId = e.runId)),
    }).then((s) => (summary = s));

    const [ordersHeader, firstOrder] = (await readFile(join(dir, 'data', 'olist_orders_dataset.csv'), 'utf8')).split('\n').slice(0, 2)
      .map((l) => l.split(',').map((v) => v.replace(/^"|"$/g, '')));
    const probes: Answer[] = [];
    const probe = async (what: string, path: string, init: RequestInit = {}): Promise<void> => {
      const response = await fetch(`${system.apiUrl}${path}`, { ...init, headers: { ...system.headers, 'content-type': 'application/json' } });
      await response.arrayBuffer();
      probes.push({ status: response.status, retryAfter: response.headers.get('retry-after'), what });
    };
    const downtimes: number[] = [];
    for (const mode of RESTARTS) {
      await sleep(1500 + random() * 2500);
      if (summary) throw new Error(`the load ended before restart ${restarts + 1}; make it longer`);
      const downMs = 1500 + Math.round(random() * 2500);
      const stoppedAt = performance.now();
      await server.stop(mode);
      // While it is down: a read, a command and a read model, as clients would send them.
      await probe('run', `/v1/pipeline-runs/${runId}`);
      await probe('batch', `/v1/pipeline-runs/${runId}/files/orders/batches`, { method: 'POST', body: JSON.stringify({ header: ordersHeader, rows: [{ line: 2, values: firstOrder }] }) });
      await probe('quarantine', '/v1/quarantine');
      await sleep(Math.max(0, downMs - (performance.now() - stoppedAt)));
      await server.start();
      downtimes.push(Math.round(performance.now() - stoppedAt));
      restarts += 1;
    }
    await loading;
    await system.caughtUp();
    expect([system.projector.pid, system.projector.running]).toEqual([projectorPid, true]); // it reconnected by itself
    await system.stop();

    const fiveHundreds = answers.filter((a) => a.status >= 500);
    const lostAnswers = system.api.lines.filter((l) => LOST_ANSWER.test(l.msg)).length;
    process.stdout.write(
      `  PostgreSQL: ${restarts} restarts (${RESTARTS.join(', ')}), down ${downtimes.join(', ')} ms; the loader got ${answers.length} answers, ` +
        `${fiveHundreds.length} of them 5xx (${[...new Set(fiveHundreds.map((a) => a.status))].join(', ') || 'none'}); batches written but not answered, then answered on retry: ${lostAnswers}; ` +
        `probes while down: ${probes.map((p) => `${p.what} ${p.status}`).join(', ')}\n`,
    );
    // While the database was down: 503 with Retry-After, never another 5xx.
    expect(probes.map((p) => [p.what, p.status, p.retryAfter])).toEqual(probes.map((p) => [p.what, 503, '1']));
    expect(fiveHundreds.filter((a) => a.status !== 503 || a.retryAfter === null)).toEqual([]);
    await expectCleanOutcome(summary!, dbUrl, system);
  }, 600_000);

  it(`survives ${API_KILLS} SIGKILLs of the API mid-batch: the loader goes on with the same run, every row answered as in a clean run`, async () => {
    killedDb = await createTestDatabase('olist_dw_api_kill');
    await mkdir(join(dir, 'api-kill'));
    const system = await ServerSystem.start({ dbUrl: killedDb.url, dir: join(dir, 'api-kill'), adminKey: ADMIN_KEY });
    systems.push(system);

    let kills = 0;
    let inFlight = 0;
    let batchStarted: (() => void) | undefined;
    const countingFetch: typeof fetch = async (input, init) => {
      if (kills < API_KILLS) await sleep(100);
      const isBatch = init?.method === 'POST' && String(input).endsWith('/batches');
      if (isBatch) {
        inFlight += 1;
        batchStarted?.();
      }
      try {
        return await fetch(input, init);
      } finally {
        if (isBatch) inFlight -= 1;
      }
    };
    let summary: LoadSummary | undefined;
    // More attempts than the default's 20-40 s of waits: on a machine busy with other suites a restart of the API can take longer.
    const loading = loadDirectory({
      dir: join(dir, 'data'), apiUrl: system.apiUrl, apiKey: ADMIN_KEY, batchSize: 100, qualityWaitMs: 180_000, fetch: countingFetch, retry: { attempts: 20 },
    }).then((s) => (summary = s));
    const killedWith: number[] = [];
    const restartMs: number[] = [];
    const lostAnswers: number[] = [];
    while (kills < API_KILLS) {
      await sleep(800 + random() * 1500);
      if (summary) throw new Error(`the load ended before kill ${kills + 1}; make it longer`);
      // Mid-batch: a few milliseconds into a batch's handling; a batch answered sooner (a fast machine) is let go,
      // and the next one is killed sooner into it.
      for (let withinMs = 60; ; withinMs = Math.max(1, withinMs / 2)) {
        if (inFlight === 0) await new Promise<void>((res) => (batchStarted = res));
        batchStarted = undefined;
        await sleep(random() * withinMs);
        if (inFlight > 0) break;
      }
      killedWith.push(inFlight);
      const life = system.api;
      await system.killApi();
      lostAnswers.push(life.lines.filter((l) => LOST_ANSWER.test(l.msg)).length);
      kills += 1;
      const restarting = performance.now();
      await system.startApi();
      restartMs.push(Math.round(performance.now() - restarting));
    }
    await loading;
    await system.caughtUp();
    lostAnswers.push(system.api.lines.filter((l) => LOST_ANSWER.test(l.msg)).length);
    await system.stop();
    process.stdout.write(
      `  API: ${kills} SIGKILLs with ${killedWith.join(', ')} batches in flight, back up in ${restartMs.join(', ')} ms; batches written but not answered, then answered on retry: ${lostAnswers.reduce((a, b) => a + b, 0)}\n`,
    );
    expect(killedWith.every((n) => n > 0)).toBe(true);
    await expectCleanOutcome(summary!, killedDb.url, system);
  }, 600_000);
});
