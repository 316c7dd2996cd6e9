/**
 * `npm run bench [-- --scale 1|10] [--data DIR] [--runs N] [--skip LIST] [--clients 1,16]`: the benchmark of spec
 * §12 in one run, every figure a median of --runs, with its ratios to the floors and the peer measured in the same
 * run (machines are noisy), printed as one table and written to var/bench/<timestamp>.json. docs/performance.md
 * explains each figure. Sections (--skip any of them): floor, server, reads, rebuild, appends, embedded.
 *
 * Needs a PostgreSQL server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres): every database
 * it makes is a scratch one, dropped at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { generateApiKey } from '@olist/security';
import { generateDataset, KAGGLE_GEOLOCATION_PER_ORDER } from '@olist/generator';
import { PostgresEventStore } from '@olist/event-store';
import { SOURCE_FILES } from '@olist/ingestion';
import { createPgClient, createTestDatabase, DEFAULT_DATABASE_URL, type TestDatabase } from '@olist/postgres';
import { findUpwards } from '@olist/duckdb';
import { buildStarSchemaFromCsv } from '../libs/analytics/bench/csv-floor.js';
import { copyFloor } from '../libs/event-store/bench/copy-floor.js';
import { exportStoreEvents, readEventsFile, type BenchEvent } from '../libs/event-store/bench/events-file.js';
import { appendEmmett, appendOurs } from '../libs/event-store/bench/append-runs.js';
import { ChildApp, freePort, LOADER_MAIN, PROJECTOR_MAIN, REBUILD_MAIN, sleep, startApiProcess } from './support/child-app.js';

/** The Kaggle dataset's size: 1× is this many orders. */
const ORDERS_1X = 99_441;
const ROOT = dirname(findUpwards(import.meta.url, 'migrations'));
const EMMETT_PEER = join(ROOT, 'bench/emmett-peer');

interface Options {
  readonly scale: number;
  readonly data?: string;
  readonly runs: number;
  readonly skip: ReadonlySet<string>;
  readonly clients: ReadonlyArray<number>;
  readonly requests: number;
  readonly out: string;
}

/** One figure: a median over the runs, with every run's value. */
interface Figure {
  readonly section: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly runs: ReadonlyArray<number>;
  /** What it is compared with in the same run, and the target if there is one. */
  readonly ratio?: { readonly to: string; readonly value: number; readonly target?: string; readonly met?: boolean };
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const serverUrl = (): string => process.env.DATABASE_URL || DEFAULT_DATABASE_URL;

/** Clock ticks per second of the CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) of a process from /proc/<pid>/stat; with `children`, also of its children it has waited for. */
const cpuSecondsOf = (pid: number, children = false): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3 (state): utime is field 14.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / CLOCK_TICKS;
  } catch {
    return undefined; // exited
  }
};

/** Peak resident memory (VmHWM) and CPU time of a process, sampled until it exits or `stop` is called. */
class ProcessSampler {
  private peakKb = 0;
  private cpuStart: number | undefined;
  private cpuLast = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.cpuStart = cpuSecondsOf(pid);
    this.timer = setInterval(() => this.sample(), 250);
  }

  sample(): void {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (m) this.peakKb = Math.max(this.peakKb, Number(m[1]));
    } catch {
      // exited
    }
    const cpu = cpuSecondsOf(this.pid);
    if (cpu !== undefined) {
      this.cpuStart ??= cpu;
      this.cpuLast = cpu;
    }
  }

  /** Peak RSS in MB, and CPU seconds used since the sampler started (to the last sample before an exit: ≤ 250 ms short). */
  stop(): { peakMb: number; cpuSeconds: number } {
    this.sample();
    clearInterval(this.timer);
    return { peakMb: this.peakKb / 1024, cpuSeconds: this.cpuLast - (this.cpuStart ?? this.cpuLast) };
  }
}

/**
 * CPU seconds used so far by every PostgreSQL process of the local server: the postmaster with the backends it has
 * reaped, plus the live ones. The difference of two readings is the server's CPU time in between (all its
 * databases: the bench's is the only one working).
 */
const postgresCpuSeconds = (): number | undefined => {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  let total = 0;
  let found = false;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (!stat.includes('(postgres)')) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const parentIsPostgres = (() => {
      try {
        return readFileSync(`/proc/${ppid}/stat`, 'utf8').includes('(postgres)');
      } catch {
        return false;
      }
    })();
    total += cpuSecondsOf(pid, !parentIsPostgres) ?? 0;
    found = true;
  }
  return found ? total : undefined;
};

interface LoaderSummary {
  readonly runId: string;
  readonly ok: boolean;
  readonly files: ReadonlyArray<{ file: string; durationMs: number; rowsRead: number; eventsAppended: number }>;
  readonly totals: { rowsRead: number; eventsAppended: number; durationMs: number };
  readonly quality?: { status: string; score?: number };
}

/** The loader as its own process, waiting for the run's quality outcome; its wall time and peak memory. */
const runLoader = async (dataDir: string, apiUrl: string, apiKey: string, logFile: string): Promise<{ summary: LoaderSummary; seconds: number; peakMb: number; cpuSeconds: number }> => {
  const started = performance.now();
  const child = spawn(process.execPath, [LOADER_MAIN, dataDir, '--api', apiUrl, '--json', '--wait-quality', '3600', '--log-level', 'warn'], {
    env: { ...process.env, OLIST_DW_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new ProcessSampler(child.pid!);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const errors: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk));
  const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  const { peakMb, cpuSeconds } = sampler.stop();
  await writeFile(logFile, Buffer.concat(errors));
  if (code !== 0) throw new Error(`the loader exited with ${code}; see ${logFile}`);
  return { summary: JSON.parse(stdout) as LoaderSummary, seconds: (performance.now() - started) / 1000, peakMb, cpuSeconds };
};

interface E2eRun {
  readonly seconds: number;
  readonly perFile: Record<string, number>;
  readonly events: number;
  readonly peakMb: Record<string, number>;
  /** CPU seconds each process used during the load (PostgreSQL: the whole server). */
  readonly cpuSeconds: Record<string, number>;
  readonly quality?: string;
}

/** A server-mode stack on a scratch database: the API and the projector as processes. */
interface ServerStack {
  readonly db: TestDatabase;
  readonly api: ChildApp;
  readonly projector: ChildApp;
  readonly url: string;
  readonly apiKey: string;
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const startServerStack = async (work: string): Promise<ServerStack> => {
  const db = await createTestDatabase('bench');
  const apiKey = generateApiKey();
  const projectorPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    EVENT_STORE: 'postgres',
    DUCKDB_PATH: join(work, 'server.duckdb'),
    PROJECTOR: 'external',
    PROJECTOR_URL: `http://127.0.0.1:${projectorPort}`,
    PROJECTOR_PORT: String(projectorPort),
    PROJECTOR_HOST: '127.0.0.1',
    OLIST_DW_ADMIN_KEY: apiKey,
    OLIST_DW_MASTER_KEY_FILE: join(work, 'master.key'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '10000000',
  };
  const { app: api, url } = await startApiProcess(env, join(work, 'server-api.log'));
  const projector = new ChildApp(PROJECTOR_MAIN, env, join(work, 'server-projector.log'));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${projectorPort}/health`)).ok) break;
    } catch {
      // not yet
    }
    if (!projector.running || i > 600) throw new Error(`the projector did not start; see ${join(work, 'server-projector.log')}`);
    await sleep(200);
  }
  return {
    db, api, projector, url, apiKey, env,
    stop: async () => {
      await api.stop();
      await projector.stop();
    },
  };
};

const e2eFigures = (runs: ReadonlyArray<E2eRun>): { seconds: number; perFile: Record<string, number>; peakMb: Record<string, number>; cpuSeconds: Record<string, number> } => ({
  seconds: median(runs.map((r) => r.seconds)),
  perFile: Object.fromEntries(SOURCE_FILES.map((f) => [f.name, median(runs.map((r) => r.perFile[f.name] ?? 0))])),
  peakMb: Object.fromEntries(Object.keys(runs[0]!.peakMb).map((p) => [p, Math.max(...runs.map((r) => r.peakMb[p]!))])),
  cpuSeconds: Object.fromEntries(Object.keys(runs[0]!.cpuSeconds).map((p) => [p, median(runs.map((r) => r.cpuSeconds[p]!))])),
});

type Sampled = { peakMb: number; cpuSeconds: number };

const toRun = (load: { summary: LoaderSummary; seconds: number } & Sampled, processes: Record<string, Sampled>, postgresCpu?: number): E2eRun => ({
  seconds: load.seconds,
  perFile: Object.fromEntries(load.summary.files.map((f) => [f.file, f.durationMs / 1000])),
  events: load.summary.totals.eventsAppended,
  peakMb: { loader: load.peakMb, ...Object.fromEntries(Object.entries(processes).map(([p, s]) => [p, s.peakMb])) },
  cpuSeconds: {
    loader: load.cpuSeconds,
    ...Object.fromEntries(Object.entries(processes).map(([p, s]) => [p, s.cpuSeconds])),
    ...(postgresCpu === undefined ? {} : { 'PostgreSQL server': postgresCpu }),
  },
  quality: load.summary.quality?.status,
});

/** Figures of where the CPU time of a load went, and the share of the machine's cores it kept busy. */
const cpuFigures = (mode: string, runs: ReadonlyArray<E2eRun>, seconds: number, cpuSeconds: Record<string, number>): Figure[] => {
  const total = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
  return [
    ...Object.entries(cpuSeconds).map(([process, value]): Figure => ({
      section: 'cpu', name: `${mode}, CPU time of the ${process}`, unit: 's', value, runs: runs.map((r) => r.cpuSeconds[process]!),
      ratio: { to: 'the CPU time of all', value: value / total },
    })),
    {
      section: 'cpu', name: `${mode}, CPU time of all (${Object.keys(cpuSeconds).join(', ')})`, unit: 's', value: total,
      runs: runs.map((r) => Object.values(r.cpuSeconds).reduce((a, b) => a + b, 0)),
      ratio: { to: `the ${cpus().length} cores' time during the load`, value: total / (seconds * cpus().length) },
    },
  ];
};

/** Latencies (ms) of `requests` calls made by `clients` concurrent clients. */
const latencies = async (clients: number, requests: number, call: (i: number) => Promise<Response>): Promise<number[]> => {
  const times: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < requests; i = next++) {
      const t0 = performance.now();
      const res = await call(i);
      const body = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} during the read benchmark: ${body.slice(0, 500)}`);
      times.push(performance.now() - t0);
    }
  }));
  return times;
};

const main = async (): Promise<void> => {
  const o = new Command('bench')
    .description('The benchmark (spec §12): floors, a peer, end to end, appends, rebuild, reads, memory — one table with ratios')
    .addOption(new Option('--scale <n>', 'dataset size: 1 (the Kaggle size) or 10').choices(['1', '10']).default('1'))
    .option('--data <dir>', 'take this directory of Olist CSV files instead of generating one')
    .option('--runs <n>', 'runs per figure (each figure is the median)', '1')
    .option('--skip <sections>', 'comma-separated: floor,server,reads,rebuild,appends,embedded', '')
    .option('--clients <list>', 'concurrent clients of the read benchmark', '1,16')
    .option('--requests <n>', 'requests per read measurement', '800')
    .option('--out <dir>', 'where the JSON report goes', 'var/bench')
    .parse()
    .opts<{ scale: string; data?: string; runs: string; skip: string; clients: string; requests: string; out: string }>();
  const options: Options = {
    scale: Number(o.scale), data: o.data, runs: Math.max(1, Number(o.runs)), skip: new Set(o.skip.split(',').filter(Boolean)),
    clients: o.clients.split(',').map(Number), requests: Number(o.requests), out: resolve(o.out),
  };
  const figures: Figure[] = [];
  const figure = (f: Figure) => {
    figures.push(f);
    console.log(`  ${f.section} · ${f.name}: ${fmt(f.value)} ${f.unit}${f.ratio ? ` (${fmt(f.ratio.value)}× ${f.ratio.to}${f.ratio.target ? `; target ${f.ratio.target}: ${f.ratio.met ? 'met' : 'not met'}` : ''})` : ''}`);
  };
  const work = await mkdtemp(join(tmpdir(), 'olist-bench-'));
  const started = new Date();
  let stack: ServerStack | undefined;

  const orders = Math.round(ORDERS_1X * options.scale);
  const dataDir = options.data ? resolve(options.data) : resolve('var/bench/data', `scale-${options.scale}`);
  if (!options.data && !SOURCE_FILES.every((f) => existsSync(join(dataDir, f.fileName)))) {
    console.log(`generating ${orders.toLocaleString('en')} orders into ${dataDir} …`);
    await generateDataset({ orders, seed: 'bench', outDir: dataDir, geolocationPerOrder: KAGGLE_GEOLOCATION_PER_ORDER });
  }
  console.log(`bench on ${dataDir} (${options.runs} run(s) per figure); scratch files in ${work}`);

  try {
    // The analytical floor: DuckDB straight from the CSV files to the same star schema and marts.
    let floorSeconds: number | undefined;
    if (!options.skip.has('floor')) {
      const runs: number[] = [];
      for (let r = 0; r < options.runs; r++) {
        const file = join(work, `floor-${r}.duckdb`);
        runs.push((await buildStarSchemaFromCsv(dataDir, file)).seconds);
        await rm(file, { force: true });
        await rm(`${file}.wal`, { force: true });
      }
      floorSeconds = median(runs);
      figure({ section: 'floor', name: 'DuckDB from the CSV files to the star schema and marts', unit: 's', value: floorSeconds, runs });
    }

    // End to end, server mode; the last run's stack stays up for the reads, then the rebuild and the appends.
    let eventsFile: string | undefined;
    if (!options.skip.has('server')) {
      const runs: E2eRun[] = [];
      for (let r = 0; r < options.runs; r++) {
        if (stack) {
          await stack.stop();
          await stack.db.drop();
        }
        await mkdir(join(work, `server-${r}`), { recursive: true });
        stack = await startServerStack(join(work, `server-${r}`));
        const api = new ProcessSampler(stack.api.pid);
        const projector = new ProcessSampler(stack.projector.pid);
        const postgresBefore = postgresCpuSeconds();
        const load = await runLoader(dataDir, stack.url, stack.apiKey, join(work, `server-loader-${r}.log`));
        const postgresAfter = postgresCpuSeconds();
        const postgres = postgresBefore === undefined || postgresAfter === undefined ? undefined : postgresAfter - postgresBefore;
        runs.push(toRun(load, { API: api.stop(), projector: projector.stop() }, postgres));
      }
      const e2e = e2eFigures(runs);
      figure({
        section: 'end to end', name: `server mode (loader → API → PostgreSQL → projector → DuckDB, to the quality outcome), ${runs[0]!.events.toLocaleString('en')} events`,
        unit: 's', value: e2e.seconds, runs: runs.map((r) => r.seconds),
        ...(floorSeconds ? { ratio: { to: 'the DuckDB floor', value: e2e.seconds / floorSeconds, target: '≤ 20×', met: e2e.seconds / floorSeconds <= 20 } } : {}),
      });
      for (const [file, seconds] of Object.entries(e2e.perFile)) figure({ section: 'end to end', name: `server mode, ${file}`, unit: 's', value: seconds, runs: runs.map((r) => r.perFile[file] ?? 0) });
      for (const [process, mb] of Object.entries(e2e.peakMb)) figure({ section: 'memory', name: `server mode, peak RSS of the ${process}`, unit: 'MB', value: mb, runs: runs.map((r) => r.peakMb[process]!) });
      for (const f of cpuFigures('server mode', runs, e2e.seconds, e2e.cpuSeconds)) figure(f);
    }

    if (stack && !options.skip.has('reads')) {
      const headers = { authorization: `Bearer ${stack.apiKey}` };
      // The marts are refreshed after the last batch is projected: read them once they are.
      await fetch(`${stack.url}/v1/projections/status?waitMs=120000`, { headers });
      for (let i = 0; (await fetch(`${stack.url}/v1/marts/monthly_revenue?limit=1`, { headers })).status !== 200; i++) {
        if (i > 300) throw new Error('the marts were not built within a minute of the load');
        await sleep(200);
      }
      const marts = ['monthly_revenue', 'delivery_performance', 'category_performance', 'seller_scorecard', 'customer_cohorts', 'customer_segments', 'review_vs_delivery', 'payment_mix'];
      for (const clients of options.clients) {
        const martTimes = await latencies(clients, options.requests, (i) => fetch(`${stack!.url}/v1/marts/${marts[i % marts.length]}?limit=100`, { headers }));
        for (const p of [50, 95, 99]) {
          const value = percentile(martTimes, p);
          figure({
            section: 'reads', name: `mart read p${p}, ${clients} client(s)`, unit: 'ms', value, runs: [value],
            ...(p === 95 && clients >= 16 ? { ratio: { to: 'the 10 ms target', value: value / 10, target: '≤ 10 ms', met: value <= 10 } } : {}),
          });
        }
        const sql = `SELECT customer_state, sum(delivered_orders) AS delivered FROM mart.delivery_performance GROUP BY ALL ORDER BY 2 DESC LIMIT 10`;
        const queryTimes = await latencies(clients, Math.min(options.requests, 200), () =>
          fetch(`${stack!.url}/v1/query`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ sql }) }));
        for (const p of [50, 95, 99]) figure({ section: 'reads', name: `ad-hoc SQL p${p}, ${clients} client(s)`, unit: 'ms', value: percentile(queryTimes, p), runs: [percentile(queryTimes, p)] });
      }
    }

    if (stack) {
      await stack.stop();
      if (!options.skip.has('rebuild')) {
        const runs: Array<Record<string, number>> = [];
        for (let r = 0; r < options.runs; r++) {
          const out = execFileSync(process.execPath, [REBUILD_MAIN], { env: stack.env, encoding: 'utf8', maxBuffer: 16 << 20 });
          const rates: Record<string, number> = {};
          let total = 0;
          for (const m of out.matchAll(/^(\S+) \((duckdb|postgres)\): replayed (\d+) events .* in (\d+) ms/gm)) {
            rates[m[1]!] = Number(m[3]) / (Number(m[4]) / 1000);
            total += Number(m[4]);
            rates.events = Number(m[3]);
          }
          rates.all = rates.events! / (total / 1000);
          runs.push(rates);
        }
        const rate = (key: string) => median(runs.map((r) => r[key] ?? 0));
        figure({ section: 'rebuild', name: 'star schema (DuckDB)', unit: 'events/s', value: rate('core_star_schema'), runs: runs.map((r) => r.core_star_schema ?? 0), ratio: { to: 'the 200k events/s target', value: rate('core_star_schema') / 200_000, target: '≥ 200k events/s', met: rate('core_star_schema') >= 200_000 } });
        figure({ section: 'rebuild', name: 'operational read models (PostgreSQL)', unit: 'events/s', value: rate('operational_read_models'), runs: runs.map((r) => r.operational_read_models ?? 0) });
        figure({ section: 'rebuild', name: 'everything (one after the other)', unit: 'events/s', value: rate('all'), runs: runs.map((r) => r.all!), ratio: { to: 'the 100k events/s target', value: rate('all') / 100_000, target: '≥ 100k events/s', met: rate('all') >= 100_000 } });
      }
      if (!options.skip.has('appends')) {
        const sql = createPgClient(stack.db.url);
        eventsFile = join(work, 'events.ndjson');
        try {
          await exportStoreEvents(new PostgresEventStore(sql), eventsFile);
        } finally {
          await sql.close();
        }
        const events: BenchEvent[] = [];
        for await (const e of readEventsFile(eventsFile)) events.push(e);
        const copy: number[] = [];
        const emmett: number[] = [];
        const ours: Record<number, number[]> = { 1: [], 4: [] };
        for (let r = 0; r < options.runs; r++) {
          copy.push((await copyFloor(serverUrl(), eventsFile)).eventsPerSecond);
          emmett.push(await appendEmmett(serverUrl(), EMMETT_PEER, eventsFile));
          for (const writers of [1, 4]) ours[writers]!.push(await appendOurs(serverUrl(), events, writers));
        }
        const copyRate = median(copy);
        const emmettRate = median(emmett);
        figure({ section: 'appends', name: `PostgreSQL COPY of the ${events.length.toLocaleString('en')} events into an indexed table (floor)`, unit: 'events/s', value: copyRate, runs: copy });
        figure({ section: 'appends', name: "Emmett 0.42's PostgreSQL event store, 8 in flight (peer)", unit: 'events/s', value: emmettRate, runs: emmett });
        for (const writers of [1, 4]) {
          const value = median(ours[writers]!);
          figure({ section: 'appends', name: `ours, ${writers} writer(s)`, unit: 'events/s', value, runs: ours[writers]!, ratio: { to: 'Emmett', value: value / emmettRate, target: '≥ 5×', met: value / emmettRate >= 5 } });
          figure({ section: 'appends', name: `ours, ${writers} writer(s), share of the COPY floor`, unit: '%', value: (value / copyRate) * 100, runs: ours[writers]!.map((v, i) => (v / copy[i]!) * 100), ratio: { to: 'the COPY floor', value: value / copyRate, target: '≥ 40%', met: value / copyRate >= 0.4 } });
        }
      }
      await stack.db.drop();
      stack = undefined;
    }

    // End to end, embedded: PGlite and the projector in the API's process, as `npm run demo -- --data DIR`.
    if (!options.skip.has('embedded')) {
      const runs: E2eRun[] = [];
      for (let r = 0; r < options.runs; r++) {
        const dir = join(work, `embedded-${r}`);
        await mkdir(dir, { recursive: true });
        const apiKey = generateApiKey();
        const env: NodeJS.ProcessEnv = {
          ...process.env, DATABASE_URL: '', EVENT_STORE: 'postgres', PGLITE_DIR: join(dir, 'pglite'), DUCKDB_PATH: join(dir, 'olist.duckdb'),
          PROJECTOR: 'in-process', OLIST_DW_ADMIN_KEY: apiKey, OLIST_DW_MASTER_KEY_FILE: join(dir, 'master.key'), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '10000000',
        };
        const { app, url } = await startApiProcess(env, join(dir, 'api.log'));
        const sampler = new ProcessSampler(app.pid);
        try {
          const load = await runLoader(dataDir, url, apiKey, join(dir, 'loader.log'));
          runs.push(toRun(load, { 'API (with the projector)': sampler.stop() }));
        } finally {
          await app.stop();
        }
      }
      const e2e = e2eFigures(runs);
      figure({
        section: 'end to end', name: 'embedded (PGlite, projector in the API process), as npm run demo -- --data DIR', unit: 's', value: e2e.seconds, runs: runs.map((r) => r.seconds),
        ...(floorSeconds ? { ratio: { to: 'the DuckDB floor', value: e2e.seconds / floorSeconds, target: '≤ 40×', met: e2e.seconds / floorSeconds <= 40 } } : {}),
      });
      for (const [file, seconds] of Object.entries(e2e.perFile)) figure({ section: 'end to end', name: `embedded, ${file}`, unit: 's', value: seconds, runs: runs.map((r) => r.perFile[file] ?? 0) });
      for (const [process, mb] of Object.entries(e2e.peakMb)) figure({ section: 'memory', name: `embedded, peak RSS of the ${process}`, unit: 'MB', value: mb, runs: runs.map((r) => r.peakMb[process]!) });
      for (const f of cpuFigures('embedded', runs, e2e.seconds, e2e.cpuSeconds)) figure(f);
    }
  } finally {
    if (stack) {
      await stack.stop().catch(() => undefined);
      await stack.db.drop().catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  }

  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  const report = { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), scale: options.scale, data: dataDir, runs: options.runs, machine, figures };
  await mkdir(options.out, { recursive: true });
  const file = join(options.out, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table(figures)}\n\nmachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GiB, node ${machine.node}; report: ${file}`);
};

const fmt = (v: number): string => (v >= 1000 ? Math.round(v).toLocaleString('en') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

const table = (figures: ReadonlyArray<Figure>): string => {
  const rows = figures.map((f) => [f.section, f.name, `${fmt(f.value)} ${f.unit}`, f.ratio ? `${fmt(f.ratio.value)}× ${f.ratio.to}` : '', f.ratio?.target ? `${f.ratio.target} ${f.ratio.met ? 'met' : 'NOT met'}` : '']);
  const head = ['section', 'figure', 'median', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
