/**
 * `npm run demo`: the whole pipeline on the embedded default, no server. Generates a sample (or takes
 * `--data DIR`), starts the API with its in-process projector on PGlite + a DuckDB file under var/,
 * loads the files over real HTTP, waits for the projector to catch up, and prints the star schema.
 * Running it again on the same data appends no event.
 *
 * `--event-store eventstoredb` keeps the events in EventStoreDB instead (read models and checkpoints stay in
 * PGlite): the server at EVENTSTORE_URL when set, else the protocol-level test double (in memory, started here,
 * so each such run starts from empty stores). Its star schema is compared with the PostgreSQL-store demo's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { STAR_SCHEMA_TABLES, contentHashes } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { SOURCE_FILES } from '@olist/ingestion';
import { loadDirectory, ProgressDisplay, renderSummary, type LoadSummary } from '@olist/loader';
import { EsdbTestDouble } from '../libs/event-store/testing/index.js';
import { freePort } from './support/free-port.js';
import { AdminClient, type KeyAnswer } from './support/admin-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const apiMain = resolve(here, '../apps/api/src/main.js');

const positiveInt = (value: string): number => {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startApi = async (env: NodeJS.ProcessEnv, logFile: string, url: string): Promise<ChildProcess> => {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [apiMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode} while starting; see ${logFile}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error(`the API did not become healthy within 120 s; see ${logFile}`);
};

const stopApi = (child: ChildProcess): Promise<void> =>
  new Promise((res) => {
    if (child.exitCode !== null) return res();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });

const waitForProjector = async (url: string, headers: Record<string, string>): Promise<number> => {
  const response = await fetch(`${url}/v1/projections/status?waitMs=600000`, { headers });
  const body = (await response.json()) as { caughtUp?: boolean; projections: Array<{ eventsProjected: number; error: string | null }> };
  if (!response.ok || !body.caughtUp) throw new Error(`the projector did not catch up: ${JSON.stringify(body)}`);
  return body.projections[0]!.eventsProjected;
};

interface DemoKeys {
  readonly loader: KeyAnswer & { key: string };
  readonly analyst: KeyAnswer & { key: string };
  revoke(): Promise<void>;
}

/** The demo's own users (a loader, an analyst) and short-lived keys, made with the bootstrap admin key; revoked at the end. */
const demoKeys = async (url: string, adminKey: string): Promise<DemoKeys> => {
  const admin = new AdminClient(url, adminKey);
  const keyFor = async (name: string, role: string) => {
    await admin.call('POST', '/v1/admin/users', { name, role }).catch((error: { code?: string }) => {
      if (error.code !== 'SECURITY.USER_EXISTS') throw error;
    });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    return admin.call<KeyAnswer & { key: string }>('POST', '/v1/admin/keys', { user: name, description: 'npm run demo', expiresAt });
  };
  const [loader, analyst] = [await keyFor('demo-loader', 'loader'), await keyFor('demo-analyst', 'analyst')];
  return {
    loader,
    analyst,
    revoke: async () => {
      for (const k of [loader, analyst]) await admin.call('POST', `/v1/admin/keys/${k.keyId}/revoke`);
    },
  };
};

const table = (head: string[], rows: string[][]): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

const fmt = (n: unknown): string => (n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 }));

interface HashRecord {
  readonly dataDir: string;
  readonly hashes: Record<string, string>;
  /** Events in the star schema then. */
  readonly events?: number;
}
const readHashes = (file: string): HashRecord | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HashRecord) : undefined);
const PG_HASH_FILE = 'demo-star-schema-hashes.json';

/**
 * Reads the star schema (read-only) and checks it against the loader's accounting. `hashFile`: this store's
 * previous demo; `pgHashFile`: the PostgreSQL-store demo's, to compare an EventStoreDB run with.
 */
const report = async (duckdbPath: string, summary: LoadSummary, hashFile: string, pgHashFile?: string): Promise<string[]> => {
  const db = await DuckDbDatabase.open(duckdbPath, { config: { access_mode: 'READ_ONLY' } });
  const problems: string[] = [];
  try {
    const client = await db.connect();
    const counts: Record<string, number> = {};
    for (const t of STAR_SCHEMA_TABLES) {
      counts[t] = Number((await client.queryOne<{ n: bigint }>(`SELECT count(*) AS n FROM ${t}`))!.n);
    }
    console.log('\nStar schema (DuckDB core)');
    console.log(table(['table', 'rows'], STAR_SCHEMA_TABLES.map((t) => [t, fmt(counts[t])])));

    const h = (await client.queryOne<Record<string, unknown>>(`
      SELECT
        (SELECT count(*) FROM core.fact_orders) AS orders,
        (SELECT sum(i.price) FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
          WHERE o.order_status NOT IN ('canceled', 'unavailable')) AS gmv,
        (SELECT sum(i.price + i.freight_value) FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
          WHERE o.order_status NOT IN ('canceled', 'unavailable')) AS revenue,
        (SELECT 100.0 * avg(CASE WHEN on_time THEN 1 ELSE 0 END) FROM core.fact_deliveries WHERE on_time IS NOT NULL) AS on_time_pct,
        (SELECT avg(score) FROM core.fact_reviews) AS avg_review`))!;
    const marts = await client.query<{ t: string; n: bigint }>(
      `SELECT table_name AS t, estimated_size AS n FROM duckdb_tables() WHERE schema_name = 'mart' AND table_name <> 'refresh_log' ORDER BY 1`);
    console.log(`\nMarts (DuckDB mart): ${marts.map((m) => `${m.t} ${fmt(m.n)}`).join(' · ')}`);

    console.log('\nHeadline');
    console.log(`  orders ${fmt(h.orders)} · GMV R$ ${fmt(h.gmv)} · revenue (GMV + freight) R$ ${fmt(h.revenue)} · on-time ${fmt(h.on_time_pct)} % · average review ${fmt(h.avg_review)}`);

    // Every row is accounted for, and the facts hold exactly the rows the command side took.
    for (const f of summary.files) {
      if (f.status === 'missing') continue;
      if (f.accepted + f.duplicates + f.rejected !== f.rowsRead) problems.push(`${f.file}: ${f.accepted} + ${f.duplicates} + ${f.rejected} ≠ ${f.rowsRead} rows read`);
    }
    const taken = (file: string) => {
      const f = summary.files.find((x) => x.file === file);
      return f ? f.accepted + f.duplicates : undefined;
    };
    const expect = (what: string, actual: number, expected: number | undefined) => {
      if (expected !== undefined && actual !== expected) problems.push(`${what}: ${actual} rows, expected ${expected}`);
    };
    expect('core.fact_orders', counts['core.fact_orders']!, taken('orders'));
    expect('core.fact_order_items', counts['core.fact_order_items']!, taken('order_items'));
    expect('core.fact_payments', counts['core.fact_payments']!, taken('payments'));
    const customers = await client.queryOne<{ n: bigint }>('SELECT count(*) AS n FROM core.dim_customer WHERE customer_key <> 0');
    expect('core.dim_customer (without the unknown member)', Number(customers!.n), taken('customers'));

    // Compare with the previous demo on this var/ directory: same data must leave every table as it was.
    const hashes = await contentHashes(client, STAR_SCHEMA_TABLES);
    const events = Number((await client.queryOne<{ n: bigint }>('SELECT max(events_projected) AS n FROM core.projection_checkpoint'))?.n ?? 0);
    const previous = readHashes(hashFile);
    if (previous?.dataDir === summary.source) {
      const changed = STAR_SCHEMA_TABLES.filter((t) => previous.hashes[t] !== hashes[t]);
      // Events appended between the two demos (an erasure, another load) may change tables without this run appending any.
      const between = previous.events === undefined ? 0 : events - summary.totals.eventsAppended - previous.events;
      console.log(changed.length === 0
        ? `\nSame data as the previous demo: all ${STAR_SCHEMA_TABLES.length} star-schema tables unchanged (content hashes equal).`
        : `\nChanged since the previous demo on the same data: ${changed.join(', ')}${between > 0 ? ` (${between} event(s) were appended between the two demos, e.g. an erasure)` : ''}`);
      if (summary.totals.eventsAppended === 0 && between === 0 && changed.length > 0) problems.push(`tables changed although no event was appended: ${changed.join(', ')}`);
    }
    const pg = pgHashFile ? readHashes(pgHashFile) : undefined;
    if (pgHashFile && pg?.dataDir === summary.source) {
      const differ = STAR_SCHEMA_TABLES.filter((t) => pg.hashes[t] !== hashes[t]);
      if (differ.length === 0) console.log(`\nSame star schema as the PostgreSQL-store demo on the same data: all ${STAR_SCHEMA_TABLES.length} tables' content hashes equal.`);
      else problems.push(`star schema differs from the PostgreSQL-store demo on the same data: ${differ.join(', ')}`);
    } else if (pgHashFile) {
      console.log(`\n(Run \`npm run demo\` on the same data to compare with the PostgreSQL store: ${pgHashFile} has no run on ${summary.source}.)`);
    }
    writeFileSync(hashFile, JSON.stringify({ dataDir: summary.source, hashes, events }, null, 2));
    return problems;
  } finally {
    db.close();
  }
};

interface DemoEventStore {
  /** Where this store's demo keeps PGlite (read models, checkpoints), DuckDB, its log and its hash file. */
  readonly storesDir: string;
  readonly env: Record<string, string>;
  readonly description: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL: PGlite under var/. EventStoreDB: the server at EVENTSTORE_URL (stores under var/eventstoredb/), else
 * the test double, in memory for this run only, so its stores (var/eventstoredb-test-double/) start empty each time.
 */
const openEventStore = async (store: 'postgres' | 'eventstoredb', varDir: string): Promise<DemoEventStore> => {
  const none = async () => undefined;
  if (store === 'postgres') return { storesDir: varDir, env: { EVENT_STORE: 'postgres', EVENTSTORE_URL: '' }, description: 'PGlite', close: none };
  const url = process.env.EVENTSTORE_URL;
  if (url) {
    const storesDir = join(varDir, 'eventstoredb');
    await mkdir(storesDir, { recursive: true });
    return { storesDir, env: { EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: url }, description: `EventStoreDB at ${url}`, close: none };
  }
  const storesDir = join(varDir, 'eventstoredb-test-double');
  await rm(storesDir, { recursive: true, force: true });
  await mkdir(storesDir, { recursive: true });
  const double = await EsdbTestDouble.start();
  return {
    storesDir,
    env: { EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString },
    description: `the EventStoreDB test double at ${double.connectionString} (in memory; set EVENTSTORE_URL for a real server)`,
    close: () => double.stop(),
  };
};

const main = async (): Promise<number> => {
  const opts = new Command()
    .name('demo')
    .description('Generate (or take) Olist files, ingest them over HTTP into the embedded stores, and print the star schema.')
    .option('--data <dir>', 'load this directory (e.g. the Kaggle download) instead of generating one')
    .option('--orders <n>', 'orders to generate', positiveInt, 5000)
    .option('--seed <s>', 'generator seed', '42')
    .option('--var <dir>', 'where the embedded stores live', 'var')
    .option('--batch-size <n>', 'rows per HTTP batch', positiveInt, 500)
    .addOption(
      new Option('--event-store <store>', 'where events are kept: postgres (PGlite) or eventstoredb (EVENTSTORE_URL, else the test double)')
        .choices(['postgres', 'eventstoredb'])
        .default('postgres'),
    )
    .parse()
    .opts<{ data?: string; orders: number; seed: string; var: string; batchSize: number; eventStore: 'postgres' | 'eventstoredb' }>();

  const varDir = resolve(opts.var);
  await mkdir(varDir, { recursive: true });
  let dataDir = opts.data ? resolve(opts.data) : join(varDir, 'demo-data', `orders-${opts.orders}-seed-${opts.seed}`);
  if (!opts.data && !SOURCE_FILES.every((f) => existsSync(join(dataDir, f.fileName)))) {
    const started = Date.now();
    const generated = await generateDataset({ orders: opts.orders, seed: opts.seed, outDir: dataDir });
    console.log(`Generated ${opts.orders} orders (seed ${opts.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s → ${dataDir}`);
    dataDir = generated.outDir;
  }

  const eventStore = await openEventStore(opts.eventStore, varDir);
  const storesDir = eventStore.storesDir;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(storesDir, 'demo-api.log');
  const env = {
    ...process.env,
    DATABASE_URL: '',
    PGLITE_DIR: join(storesDir, 'pglite'),
    DUCKDB_PATH: join(storesDir, 'olist.duckdb'),
    PORT: String(port),
    HOST: '127.0.0.1',
    PROJECTOR: 'in-process',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    OLIST_DW_ADMIN_KEY_FILE: join(storesDir, 'admin.key'),
    OLIST_DW_MASTER_KEY_FILE: process.env.OLIST_DW_MASTER_KEY_FILE ?? join(storesDir, 'master.key'),
    ...eventStore.env,
  };
  console.log(`Starting the API (embedded: PGlite ${env.PGLITE_DIR}, DuckDB ${env.DUCKDB_PATH}; events in ${eventStore.description}) on ${url}; logs in ${logFile}`);
  let api: ChildProcess;
  try {
    api = await startApi(env, logFile, url);
  } catch (error) {
    await eventStore.close();
    throw error;
  }
  let summary: LoadSummary;
  let projected: number;
  let keys: DemoKeys | undefined;
  try {
    keys = await demoKeys(url, AdminClient.keyFrom(process.env.OLIST_DW_ADMIN_KEY, env.OLIST_DW_ADMIN_KEY_FILE, false));
    const auth = { authorization: `Bearer ${keys.loader.key}` };
    const display = process.stderr.isTTY ? new ProgressDisplay(process.stderr) : undefined;
    summary = await loadDirectory({
      dir: dataDir,
      apiUrl: url,
      apiKey: keys.loader.key,
      batchSize: opts.batchSize,
      logger: pino({ level: 'warn' }, pino.destination(2)),
      onProgress: display?.onProgress,
      qualityWaitMs: 300_000,
    });
    display?.stop();
    console.log(`\n${renderSummary(summary)}`);
    if (!summary.ok) throw new Error(`the load failed: ${summary.error?.message ?? 'see the table above'}`);
    projected = await waitForProjector(url, auth);
    const run = (await (await fetch(`${url}/v1/pipeline-runs/${summary.runId}`, { headers: auth })).json()) as {
      status: string; outcome: string | null; quality_score: number | null; tasks: unknown[];
    };
    const quarantine = (await (await fetch(`${url}/v1/quarantine?runId=${summary.runId}&limit=1`, { headers: auth })).json()) as { total: number };
    const quality = run.quality_score === null ? 'quality not checked yet' : `quality ${run.outcome} (score ${run.quality_score})`;
    console.log(`Pipeline run ${summary.runId}: ${run.status}, ${quality}, ${run.tasks.length} task executions, ${fmt(quarantine.total)} rows in quarantine (Postgres read models; GET /v1/quality/reports/${summary.runId} for the checks).`);
    const analyst = { authorization: `Bearer ${keys.analyst.key}` };
    const revenue = await fetch(`${url}/v1/marts/monthly_revenue?limit=1&order=-gmv`, { headers: analyst });
    const refused = await fetch(`${url}/v1/pipeline-runs/${summary.runId}/complete`, { method: 'POST', headers: { ...analyst, 'content-type': 'application/json' }, body: '{"files":[]}' });
    console.log(`Security: loaded as ${keys.loader.userName} (role loader, key ${keys.loader.prefix}…); the analyst ${keys.analyst.userName} reads mart.monthly_revenue (HTTP ${revenue.status}) and may not complete a run (HTTP ${refused.status}); every request is in security_audit.audit_log.`);
  } finally {
    if (keys) await keys.revoke().catch((error: Error) => console.error(`could not revoke the demo keys: ${error.message}`));
    await stopApi(api);
    await eventStore.close();
  }
  console.log(`Projector caught up: ${fmt(projected)} events in the star-schema projection; ${fmt(summary.totals.eventsAppended)} appended by this run.`);

  const pgHashFile = opts.eventStore === 'eventstoredb' ? join(varDir, PG_HASH_FILE) : undefined;
  const problems = await report(env.DUCKDB_PATH, summary, join(storesDir, PG_HASH_FILE), pgHashFile);
  if (problems.length > 0) {
    console.error(`\nInconsistent:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log('\nEvery row accounted for (accepted + duplicates + rejected = rows read); facts match the accepted rows.');
  console.log(`Open the star schema with: duckdb -readonly ${env.DUCKDB_PATH}`);
  return 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
