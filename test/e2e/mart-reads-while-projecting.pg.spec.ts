import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { MART_NAMES, type MartCatalog, type MartPage, type MartRow } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { createTestDatabase, type TestDatabase } from '@olist/postgres';
import { loadDirectory } from '@olist/loader';
import { generateApiKey } from '@olist/security';
import { freePort } from '../support/child-apps.js';
import { csvOracle, waitForRunOutcome } from '../support/embedded-api.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The bootstrap admin key of the test's database (both processes check keys against it). */
const ADMIN_KEY = generateApiKey();
const headers = { authorization: `Bearer ${ADMIN_KEY}` };
const ANALYSTS = 4;
const cents = (value: unknown): number => Math.round(Number(value) * 100);
const sum = (rows: ReadonlyArray<MartRow>, column: string, unit: (v: unknown) => number = Number): number =>
  rows.reduce((total, row) => total + unit(row[column]), 0);

/** A built app (`dist/…/main.js`) as a child process; its output is kept for failure messages. */
class Child {
  readonly output: string[] = [];
  private readonly process: ChildProcess;
  constructor(readonly name: string, script: string, env: Record<string, string>) {
    this.process = spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.process.stdout!, this.process.stderr!]) stream.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }
  get exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }
  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = once(this.process, 'exit');
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await exit;
    clearTimeout(timer);
  }
  tail(): string {
    return `${this.name}: ${this.output.join('').slice(-3000)}`;
  }
}

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, children: Child[], timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((c) => c.exited);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}\n${dead.tail()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${children.map((c) => c.tail()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** One answer's figures that several answers (of the same refresh, or of other marts) must agree on. */
type Figures = Record<string, number>;
interface Answer {
  readonly mart: string;
  readonly sequence: number;
  readonly checkpoint: string | null;
  readonly figures: Figures;
  readonly ms: number;
  readonly duringLoad: boolean;
  readonly analyst: number;
}

/** Reads a mart through the API and checks what must hold inside any single refresh; returns its figures. */
const readAndCheck = async (apiUrl: string, mart: string): Promise<Omit<Answer, 'ms' | 'duringLoad' | 'analyst'>> => {
  const csv = mart === 'delivery_performance';
  const query = mart === 'customer_segments' ? 'limit=1' : mart === 'customer_cohorts' ? 'months_since=0&limit=100000' : 'limit=100000';
  const response = await fetch(`${apiUrl}/v1/marts/${mart}?${query}${csv ? '&format=csv' : ''}`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${mart}: HTTP ${response.status} ${text}`);
  let page: Pick<MartPage, 'rows' | 'total'> & { refresh: { sequence: number; checkpoint: string | null } };
  if (csv) {
    const rows = parse(text, { columns: true, cast: (v) => (v === '' ? null : v) }) as MartRow[];
    page = { rows, total: Number(response.headers.get('x-total-count')), refresh: { sequence: Number(response.headers.get('x-mart-refresh-sequence')), checkpoint: response.headers.get('x-mart-checkpoint') } };
  } else {
    page = JSON.parse(text) as MartPage;
  }
  const { rows } = page;
  const fail = (what: string) => { throw new Error(`${mart} at refresh ${page.refresh.sequence}: ${what}`); };
  if (page.total !== rows.length && mart !== 'customer_segments') fail(`total ${page.total} but ${rows.length} rows`);
  const figures: Figures = {};
  switch (mart) {
    case 'monthly_revenue':
      for (const r of rows) {
        if (cents(r['revenue']) !== cents(r['gmv']) + cents(r['freight'])) fail(`revenue != gmv + freight in ${r['month']}`);
        if (Math.abs(Number(r['aov']) - Number(r['revenue']) / Number(r['orders'])) > 0.0051) fail(`aov != revenue / orders in ${r['month']}`);
      }
      Object.assign(figures, { gmv: sum(rows, 'gmv', cents), items: sum(rows, 'items'), orders: sum(rows, 'orders') });
      break;
    case 'category_performance':
    case 'seller_scorecard': {
      const ranked = [...rows].sort((a, b) => Number(a['gmv_rank']) - Number(b['gmv_rank']));
      for (let i = 1; i < ranked.length; i++) if (cents(ranked[i]!['gmv']) > cents(ranked[i - 1]!['gmv'])) fail('gmv_rank does not follow gmv');
      Object.assign(figures, { gmv: sum(rows, 'gmv', cents), items: sum(rows, 'items') });
      break;
    }
    case 'payment_mix':
      if (rows.length > 0 && Math.abs(sum(rows, 'value_share') - 1) > 1e-9) fail(`value shares sum to ${sum(rows, 'value_share')}`);
      if (rows.length > 0 && Math.abs(sum(rows, 'payments_share') - 1) > 1e-9) fail('payment shares do not sum to 1');
      Object.assign(figures, { value: sum(rows, 'value', cents), payments: sum(rows, 'payments') });
      break;
    case 'customer_cohorts':
      for (const r of rows) if (r['active_customers'] !== r['cohort_size'] || r['retention'] !== 1) fail(`month 0 of cohort ${r['cohort_month']} is not the whole cohort`);
      figures['customers'] = sum(rows, 'cohort_size');
      break;
    case 'customer_segments':
      figures['customers'] = page.total;
      break;
    case 'delivery_performance':
      for (const r of rows) if (Number(r['on_time_pct']) < 0 || Number(r['on_time_pct']) > 100) fail('on_time_pct outside 0-100');
      figures['delivered'] = sum(rows, 'delivered_orders');
      break;
    case 'review_vs_delivery':
      if (rows.length !== 8) fail(`${rows.length} delay buckets`);
      figures['reviews'] = sum(rows, 'reviews');
      break;
  }
  return { mart, sequence: page.refresh.sequence, checkpoint: page.refresh.checkpoint, figures };
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Server mode with the API and the projector as separate processes (spec §3): the projector owns the
 * DuckDB file and answers mart reads; the API forwards them (PROJECTOR=external). While a load runs,
 * analysts keep reading marts through the API: every answer succeeds and is consistent in itself, answers
 * that report the same refresh agree with each other (across marts too), and after the load the answers
 * equal the DuckDB file's final marts and DuckDB SQL over the CSV files.
 */
describe('concurrent mart reads while the projector (its own process) projects a load', () => {
  let db: TestDatabase;
  let work: string;
  let api: Child;
  let projector: Child;
  let apiUrl: string;
  let projectorUrl: string;
  let duckdbPath: string;

  beforeAll(async () => {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'ignore' });
    db = await createTestDatabase('olist_dw_reads');
    work = await mkdtemp(join(tmpdir(), 'olist-dw-reads-'));
    duckdbPath = join(work, 'olist.duckdb');
    await generateDataset({ orders: 2500, seed: 11, outDir: join(work, 'csv') });
    const [apiPort, projectorPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    projectorUrl = `http://127.0.0.1:${projectorPort}`;
    const common = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', DUCKDB_PATH: duckdbPath, OLIST_DW_ADMIN_KEY: ADMIN_KEY };
    // The API first (it migrates the stores), then the projector: as docker-compose orders them.
    api = new Child('api', 'dist/apps/api/src/main.js', { ...common, PROJECTOR: 'external', PROJECTOR_URL: projectorUrl, HOST: '127.0.0.1', PORT: String(apiPort) });
    await waitFor('the API', async () => ((await fetch(`${apiUrl}/health`)).ok ? true : undefined), [api]);
    // No projector yet: the API says so (503, Retry-After), it does not fail.
    const early = await fetch(`${apiUrl}/v1/marts/monthly_revenue`, { headers });
    expect([early.status, early.headers.get('retry-after')]).toEqual([503, '1']);
    expect(((await early.json()) as { message: string }).message).toContain('projector');
    expect((await fetch(`${apiUrl}/v1/projections/status`, { headers })).status).toBe(503);
    projector = new Child('projector', 'dist/apps/projector/src/main.js', { ...common, PROJECTOR_HOST: '127.0.0.1', PROJECTOR_PORT: String(projectorPort) });
    await waitFor('the projector', async () => ((await fetch(`${projectorUrl}/health`)).ok ? true : undefined), [api, projector]);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await projector?.stop();
    await db?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers every read during the load from one refresh, and the final marts after it', async () => {
    // Before the first refresh the API answers 503; the projector builds the (empty) marts at start.
    await waitFor('the first mart refresh', async () => ((await fetch(`${apiUrl}/v1/marts`, { headers })).ok ? true : undefined), [api, projector]);

    const answers: Answer[] = [];
    const failures: string[] = [];
    let loading = true;
    let reading = true;
    const analysts = Array.from({ length: ANALYSTS }, async (_, a) => {
      for (let i = a; reading; i++) {
        const mart = MART_NAMES[i % MART_NAMES.length]!;
        const duringLoad = loading;
        const started = performance.now();
        try {
          const answer = await readAndCheck(apiUrl, mart);
          answers.push({ ...answer, ms: performance.now() - started, duringLoad, analyst: a });
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    });

    // Every 20th batch waits 1.2 s: the projector goes idle and refreshes the marts mid-load, several times.
    let posts = 0;
    const pausingFetch: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && ++posts % 20 === 0) await new Promise((r) => setTimeout(r, 1200));
      return fetch(input, init);
    };
    const load = await loadDirectory({ dir: join(work, 'csv'), apiUrl, apiKey: ADMIN_KEY, batchSize: 250, concurrency: 1, fetch: pausingFetch });
    loading = false;
    expect(load.totals.rejected).toBe(0);
    await waitForRunOutcome(apiUrl, load.runId, undefined, headers); // the projector's quality gate appends its events after the load
    // The API forwards the status to the projector process.
    const status = await (await fetch(`${apiUrl}/v1/projections/status?waitMs=120000`, { headers })).json() as { caughtUp: boolean; projections: Array<{ name: string; checkpoint: string }> };
    expect(status.caughtUp).toBe(true);
    const finalCheckpoint = status.projections.find((p) => p.name === 'core_star_schema')!.checkpoint;
    // The projector refreshes the marts once it has been idle for a moment.
    const final = await waitFor('the final refresh', async () => {
      const catalog = (await (await fetch(`${apiUrl}/v1/marts`, { headers })).json()) as MartCatalog;
      return catalog.refresh.checkpoint === finalCheckpoint ? catalog : undefined;
    }, [api, projector]);
    // Let every analyst read a few marts of the final refresh, then stop.
    await waitFor('reads of the final refresh', async () => (answers.filter((x) => x.sequence === final.refresh.sequence).length >= 2 * ANALYSTS ? true : undefined), [api, projector]);
    reading = false;
    await Promise.all(analysts);

    expect(failures).toEqual([]);
    const during = answers.filter((x) => x.duringLoad);
    const sequences = [...new Set(answers.map((x) => x.sequence))].sort((x, y) => x - y);
    const latency = (of: Answer[]) => {
      const ms = of.map((x) => x.ms).sort((x, y) => x - y);
      return ms.length === 0 ? 'none' : `p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms (${ms.length} reads)`;
    };
    const perRefresh = sequences.map((s) => `#${s}: ${answers.filter((x) => x.sequence === s).length}`).join(', ');
    console.log(
      `${answers.length} mart reads by ${ANALYSTS} analysts, ${during.length} during the load of ${load.totals.accepted} rows; ` +
        `answers per refresh ${perRefresh}\nread latency through the API during the load: ${latency(during)}; after it: ${latency(answers.filter((x) => !x.duringLoad))}`,
    );
    expect(during.length).toBeGreaterThan(ANALYSTS * MART_NAMES.length);
    expect(sequences.length).toBeGreaterThan(4); // the marts changed under the readers' feet, again and again

    // Answers reporting the same refresh agree: the same figure of a mart, and figures that two marts share.
    const byRefresh = new Map<number, { checkpoint: string | null; figures: Map<string, number> }>();
    const disagreements: string[] = [];
    for (const answer of answers) {
      const refresh = byRefresh.get(answer.sequence) ?? { checkpoint: answer.checkpoint, figures: new Map() };
      byRefresh.set(answer.sequence, refresh);
      if (refresh.checkpoint !== answer.checkpoint) disagreements.push(`refresh ${answer.sequence}: checkpoints ${refresh.checkpoint} and ${answer.checkpoint}`);
      for (const [name, value] of Object.entries(answer.figures)) {
        const key = `${answer.mart}.${name}`;
        const seen = refresh.figures.get(key);
        if (seen !== undefined && seen !== value) disagreements.push(`refresh ${answer.sequence}: ${key} was ${seen}, then ${value}`);
        refresh.figures.set(key, value);
      }
    }
    const shared = [
      ['monthly_revenue.gmv', 'category_performance.gmv', 'seller_scorecard.gmv'],
      ['monthly_revenue.items', 'category_performance.items', 'seller_scorecard.items'],
      ['customer_cohorts.customers', 'customer_segments.customers'],
    ];
    let crossChecks = 0;
    for (const [sequence, { figures }] of byRefresh) {
      for (const group of shared) {
        const values = group.filter((k) => figures.has(k)).map((k) => [k, figures.get(k)!] as const);
        if (values.length > 1) crossChecks++;
        if (new Set(values.map(([, v]) => v)).size > 1) disagreements.push(`refresh ${sequence}: ${values.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(crossChecks).toBeGreaterThan(sequences.length);
    // Each analyst reads one mart after the other: it never sees an older refresh after a newer one.
    for (let a = 0; a < ANALYSTS; a++) {
      const seen = answers.filter((x) => x.analyst === a).map((x) => x.sequence);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
    }

    // After the load: the API's answers are the DuckDB file's final marts, and the CSV files' figures.
    const pages = new Map<string, MartPage>();
    for (const mart of MART_NAMES) {
      const response = await fetch(`${apiUrl}/v1/marts/${mart}?limit=100000`, { headers });
      expect([mart, response.status]).toEqual([mart, 200]);
      const page = (await response.json()) as MartPage;
      expect([mart, page.refresh.sequence]).toEqual([mart, final.refresh.sequence]);
      pages.set(mart, page);
    }
    // Rebuild-and-verify is forwarded to the projector, which owns the read models.
    const rebuild = await fetch(`${apiUrl}/v1/admin/rebuild-verify`, { method: 'POST', headers });
    expect(rebuild.status).toBe(200);
    const report = (await rebuild.json()) as { equal: boolean; tables: Array<{ table: string; equal: boolean }> };
    expect(report.tables.filter((t) => !t.equal).map((t) => t.table)).toEqual([]);
    expect(report.equal).toBe(true);
    await projector.stop(); // frees the DuckDB file (one process at a time)
    expect((await fetch(`${apiUrl}/v1/admin/rebuild-verify`, { method: 'POST', headers })).status).toBe(503);
    const file = await DuckDbDatabase.open(duckdbPath, { config: { access_mode: 'READ_ONLY' } });
    const dw = await file.connect();
    try {
      expect(Number(await dw.scalar('SELECT count(*) FROM mart.refresh_log'))).toBe(final.refresh.sequence);
      for (const mart of MART_NAMES) {
        const page = pages.get(mart)!;
        const columns = page.columns.map((c) => `"${c.name}"`).join(', ');
        const expected = await dw.query<Record<string, unknown>>(`SELECT to_json(t)::VARCHAR AS row FROM (SELECT ${columns} FROM mart.${mart}) t`);
        const normalise = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => JSON.stringify(Object.values(r).map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)))).sort();
        expect([mart, normalise(page.rows)]).toEqual([mart, normalise(expected.map((e) => JSON.parse(e['row'] as string) as Record<string, unknown>))]);
      }
    } finally {
      dw.close();
      file.close();
    }

    const oracle = await csvOracle(join(work, 'csv'));
    try {
      const sold = `(SELECT order_id, CAST(order_purchase_timestamp AS TIMESTAMP) AS purchased FROM orders WHERE order_status NOT IN ('canceled', 'unavailable'))`;
      const monthly = await oracle.all<{ month: string; orders: bigint; gmv: string; freight: string }>(`
        SELECT strftime(date_trunc('month', s.purchased), '%Y-%m-%d') AS month, count(DISTINCT s.order_id) AS orders,
               coalesce(sum(CAST(i.price AS DECIMAL(18,2))), 0)::VARCHAR AS gmv, coalesce(sum(CAST(i.freight_value AS DECIMAL(18,2))), 0)::VARCHAR AS freight
        FROM ${sold} s LEFT JOIN items i USING (order_id) GROUP BY 1 ORDER BY 1`);
      expect(pages.get('monthly_revenue')!.rows.map((r) => [r['month'], r['orders'], cents(r['gmv']), cents(r['freight'])]))
        .toEqual(monthly.map((m) => [m.month, Number(m.orders), cents(m.gmv), cents(m.freight)]));
      const payments = await oracle.all<{ type: string; value: string }>(`
        SELECT p.payment_type AS type, sum(CAST(p.payment_value AS DECIMAL(18,2)))::VARCHAR AS value
        FROM payments p JOIN ${sold} s USING (order_id) GROUP BY 1 ORDER BY sum(CAST(p.payment_value AS DECIMAL(18,2))) DESC, 1`);
      expect(pages.get('payment_mix')!.rows.map((r) => [r['payment_type'], cents(r['value'])])).toEqual(payments.map((p) => [p.type, cents(p.value)]));
    } finally {
      oracle.close();
    }
  }, 240_000);
});
