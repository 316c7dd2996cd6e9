import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { canonicalColumn, SOURCE_FILES, sourceFile } from '@olist/ingestion';
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import { runCli } from '../src/cli.js';
import { loadDirectory, LoadOptionsError, type LoadOptions, type LoadProgressEvent } from '../src/loader.js';
import { renderSummary } from '../src/report.js';
import { exitCodeFor, type LoadSummary } from '../src/summary.js';
import { closedPort, errorReply, FakeApi, type FakeApiOptions, type Reply } from './fake-api.js';
import { FIXTURE_COUNTS, FIXTURE_ROWS, writeFixtureDir } from './fixtures.js';
import { CSV_VARIANTS } from '../../../test/support/csv-variants.js';

const silent = pino({ level: 'silent' });
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, jitter: 0 };
const ALL = SOURCE_FILES.map((f) => f.name);

let root: string;
let dir: string;
let api: FakeApi | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'loader-'));
  dir = await writeFixtureDir(join(root, 'full'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const startApi = async (options?: FakeApiOptions): Promise<FakeApi> => (api = await new FakeApi(options).start());
const load = (over: Partial<LoadOptions> = {}): Promise<LoadSummary> =>
  loadDirectory({ dir, apiUrl: api?.url, logger: silent, retry: fastRetry, ...over });
const byFile = (s: LoadSummary, file: string) => s.files.find((f) => f.file === file)!;
const batchPath = /\/files\/([^/]+)\/batches$/;

describe('loadDirectory against a test double of the API', () => {
  it('loads the nine files in dependency order, one file after the other, then completes the run', async () => {
    let inFlight = 0;
    let peak = 0;
    const posted: string[] = [];
    await startApi({
      intercept: async ({ path }) => {
        const m = batchPath.exec(path);
        if (!m) return undefined;
        posted.push(m[1]!);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return undefined;
      },
    });
    const summary = await load({ batchSize: 1, concurrency: 2 });

    expect(summary.ok).toBe(true);
    expect(exitCodeFor(summary)).toBe(0);
    expect(summary.runStatus).toBe('started');
    expect(summary.completed).toBe(true);
    expect(summary.source).toBe(dir);
    // Files never interleave, and come in SOURCE_FILES order; within a file, two batches at a time.
    const order = posted.filter((f, i) => f !== posted[i - 1]);
    expect(order).toEqual(ALL);
    expect(peak).toBe(2);
    expect(summary.files.map((f) => [f.file, f.status, f.rowsRead])).toEqual(ALL.map((f) => [f, 'loaded', FIXTURE_COUNTS[f]]));

    // The complete call carries each file's counts.
    expect(api!.completes).toHaveLength(1);
    expect(api!.completes[0]!.runId).toBe(summary.runId);
    expect(api!.completes[0]!.body.files).toEqual(
      summary.files.map((f) => ({ file: f.file, rowsRead: f.rowsRead, accepted: f.accepted, duplicates: f.duplicates, rejected: f.rejected, eventsAppended: f.eventsAppended })),
    );
    expect(api!.requests[0]).toMatchObject({ path: '/v1/pipeline-runs', body: { runId: summary.runId, source: dir } });
  });

  it('posts the header as read (BOM stripped) and each row with its start line, short rows included', async () => {
    await startApi();
    const summary = await load();
    const categories = api!.batches.find((b) => b.file === 'categories')!;
    expect(categories.header).toEqual(['product_category_name', 'product_category_name_english']);
    expect(api!.rowsOf('reviews').map((r) => [r.line, r.values[0]])).toEqual([[2, 'r1'], [3, 'r2'], [6, 'r3']]);
    expect(api!.rowsOf('reviews')[1]!.values[4]).toBe('Não recebi, "nada"\r\nainda.\r\nPéssimo');
    // The short item row is posted, and the API's rejection is a data outcome, not a failure.
    expect(api!.rowsOf('order_items').map((r) => r.values.length)).toEqual([7, 7, 4]);
    const items = byFile(summary, 'order_items');
    expect(items).toMatchObject({ status: 'loaded', rowsRead: 3, accepted: 2, rejected: 1, failed: 0 });
    expect(items.rejectionReasons).toEqual([{ reason: 'expected 7 values, got 4', count: 1, lines: [4] }]);
    expect(summary.ok).toBe(true);
    expect(summary.totals).toMatchObject({ rowsRead: 21, accepted: 20, rejected: 1, duplicates: 0, eventsAppended: 40, failed: 0 });
  });

  it('is the same run when the same data is loaded again, from anywhere: nothing new is appended', async () => {
    await startApi();
    const copy = await writeFixtureDir(join(root, 'copy'));
    const first = await load();
    const second = await load({ dir: copy });
    expect(second.runId).toBe(first.runId);
    expect(second.runStatus).toBe('already-started');
    expect(second.totals).toMatchObject({ accepted: 0, duplicates: 20, rejected: 1, eventsAppended: 0 });
    expect(second.ok).toBe(true);
  });

  it('aggregates rejection reasons per file, most frequent first, values folded', async () => {
    await startApi({
      reject: (file, row) => (file === 'orders' ? [`order_status: "${row.values[2]}" is not allowed`, 'customer unknown'] : undefined),
    });
    const summary = await load({ only: ['orders'] });
    expect(byFile(summary, 'orders').rejectionReasons).toEqual([
      { reason: 'customer unknown', count: 3, lines: [2, 3, 4] },
      { reason: 'order_status: "…" is not allowed', count: 3, example: 'order_status: "delivered" is not allowed', lines: [2, 3, 4] },
    ]);
    const text = renderSummary(summary);
    expect(text).toContain('Top rejection reasons');
    expect(text).toMatch(/3 {2}order_status: "…" is not allowed {2}\(line 2, 3, 4\)/);
  });

  it('retries flaky 503s and still loads everything', async () => {
    let failures = 0;
    await startApi({
      intercept: ({ path }) => (batchPath.test(path) && failures++ < 3 ? errorReply(503, 'EVENT_STORE.UNAVAILABLE', 'busy') : undefined),
    });
    const events: LoadProgressEvent[] = [];
    const summary = await load({ onProgress: (e) => events.push(e) });
    expect(summary.ok).toBe(true);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(3);
    expect(summary.totals.failed).toBe(0);
  });

  it('reports a batch the API refuses (400) as failed rows, goes on with the other files, and exits 1', async () => {
    await startApi({
      intercept: ({ path }): Reply | undefined =>
        path.endsWith('/files/order_items/batches') ? errorReply(400, 'REQUEST.INVALID', 'rows[2].values must be strings', { errors: ['rows[2].values must be strings'] }) : undefined,
    });
    const summary = await load({ batchSize: 2 });
    const items = byFile(summary, 'order_items');
    expect(items).toMatchObject({ status: 'failed', rowsRead: 3, accepted: 0, failed: 3, batches: 2, failedBatches: 2 });
    expect(items.failures).toEqual([
      { message: 'post order_items batch: HTTP 400: rows[2].values must be strings', status: 400, batches: 2, rows: 3, firstLine: 2 },
    ]);
    expect(byFile(summary, 'payments').status).toBe('loaded');
    expect(byFile(summary, 'reviews').status).toBe('loaded');
    expect(summary.completed).toBe(true);
    expect(api!.completes[0]!.body.files.find((f) => f.file === 'order_items')).toEqual({
      file: 'order_items', rowsRead: 3, accepted: 0, duplicates: 0, rejected: 0, eventsAppended: 0, failed: 3,
    });
    expect(summary.ok).toBe(false);
    expect(exitCodeFor(summary)).toBe(1);
    const text = renderSummary(summary);
    expect(text).toMatch(/file\s+rows read\s+accepted\s+duplicates\s+rejected\s+events\s+failed\s+status\s+time/);
    expect(text).toContain('order_items: post order_items batch: HTTP 400: rows[2].values must be strings (2 batches, 3 rows, from line 2)');
  });

  it('after a 404 (unknown run or file) stops posting that file, counts its rows as failed, and goes on', async () => {
    await startApi({
      intercept: ({ path }) => (path.endsWith('/files/order_items/batches') ? errorReply(404, 'INGESTION.UNKNOWN_FILE', 'unknown file order_items', { file: 'order_items' }) : undefined),
    });
    const summary = await load({ batchSize: 1, concurrency: 1 });
    const items = byFile(summary, 'order_items');
    expect(items).toMatchObject({ status: 'failed', rowsRead: 3, failed: 3, failedBatches: 3 });
    expect(items.failures.map((f) => [f.message, f.rows])).toEqual([
      ['post order_items batch: HTTP 404: unknown file order_items', 1],
      ['not posted after an earlier 404', 2],
    ]);
    expect(api!.requests.filter((r) => r.path.endsWith('/files/order_items/batches'))).toHaveLength(1);
    expect(byFile(summary, 'payments').status).toBe('loaded');
  });

  it('survives a progress hook that throws', async () => {
    await startApi();
    const summary = await load({
      onProgress: () => {
        throw new Error('hook bug');
      },
    });
    expect(summary.ok).toBe(true);
  });

  it('splits a batch the API finds too large (413)', async () => {
    await startApi({
      intercept: ({ path, body }) =>
        batchPath.test(path) && (body as { rows: unknown[] }).rows.length > 1 ? errorReply(413, 'REQUEST.PAYLOAD_TOO_LARGE', 'request entity too large') : undefined,
    });
    const summary = await load({ batchSize: 50, only: ['orders'] });
    expect(summary.ok).toBe(true);
    expect(api!.batches.map((b) => b.rows.map((r) => r.line))).toEqual([[2], [3], [4]]);
  });

  it('stops with "API unreachable" when nobody listens, without loading anything', async () => {
    const port = await closedPort();
    const summary = await loadDirectory({ dir, apiUrl: `http://127.0.0.1:${port}`, logger: silent, retry: fastRetry });
    expect(summary.error?.code).toBe('API_UNREACHABLE');
    expect(summary.error?.message).toMatch(new RegExp(`^API unreachable at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\(after 4 attempts\\)$`));
    expect(summary.files.every((f) => f.status === 'not-loaded' && f.rowsRead === 0)).toBe(true);
    expect(summary.ok).toBe(false);
    expect(exitCodeFor(summary)).toBe(1);
    expect(renderSummary(summary)).toContain(`FAILED (API_UNREACHABLE): API unreachable at http://127.0.0.1:${port}`);
  });

  it('stops when the API goes away in the middle: the rest is not loaded and the run is not completed', async () => {
    await startApi();
    const server = api!;
    const summary = await load({
      batchSize: 1,
      onProgress: (e) => {
        if (e.type === 'file-finished' && e.file === 'customers') void server.close();
      },
    });
    api = undefined;
    expect(summary.error?.code).toBe('API_UNREACHABLE');
    expect(byFile(summary, 'customers').status).toBe('loaded');
    expect(byFile(summary, 'geolocation')).toMatchObject({ status: 'aborted', failed: byFile(summary, 'geolocation').rowsRead });
    expect(byFile(summary, 'geolocation').failed).toBeGreaterThan(0);
    expect(byFile(summary, 'orders').status).toBe('not-loaded');
    expect(summary.completed).toBe(false);
    expect(exitCodeFor(summary)).toBe(1);
  });

  it('treats a 401 as fatal', async () => {
    await startApi({ intercept: ({ path }) => (batchPath.test(path) ? errorReply(401, 'REQUEST.UNAUTHORIZED', 'missing API key') : undefined) });
    const summary = await load();
    expect(summary.error).toEqual({ code: 'API_UNAUTHORIZED', message: 'the API refused the loader: post categories batch: HTTP 401: missing API key' });
    expect(byFile(summary, 'sellers').status).toBe('not-loaded');
  });

  it('refuses a directory with a missing file before posting anything, and exits 1', async () => {
    await startApi();
    const partial = await writeFixtureDir(join(root, 'partial'), ['orders', 'order_items']);
    const summary = await load({ dir: partial });
    expect(summary.missingFiles).toEqual(SOURCE_FILES.filter((f) => !['orders', 'order_items'].includes(f.name)).map((f) => f.fileName));
    expect(byFile(summary, 'sellers')).toMatchObject({ status: 'missing', error: `not found: ${join(partial, 'olist_sellers_dataset.csv')}` });
    expect(byFile(summary, 'orders').status).toBe('not-loaded');
    expect(summary.error).toEqual({ code: 'BAD_FILES', message: expect.stringMatching(/^nothing loaded: not found: .*olist_customers_dataset\.csv; not found: /) });
    expect(api!.requests).toEqual([]);
    expect(exitCodeFor(summary)).toBe(1);
  });

  it('with --only expects only those files, loads them in dependency order, and derives another run id', async () => {
    await startApi();
    const partial = await writeFixtureDir(join(root, 'only'), ['orders', 'order_items']);
    const full = await load();
    const summary = await load({ dir: partial, only: ['order_items', 'orders'] });
    expect(summary.files.map((f) => f.file)).toEqual(['orders', 'order_items']);
    expect(summary.ok).toBe(true);
    expect(summary.runId).not.toBe(full.runId);
  });

  it('reports a directory without any source file, without calling the API', async () => {
    await startApi();
    const summary = await load({ dir: join(root, 'nowhere') });
    expect(summary.error?.code).toBe('NO_FILES');
    expect(api!.requests).toEqual([]);
    expect(exitCodeFor(summary)).toBe(1);
  });

  it('refuses an empty file, a header without rows, a file that is not CSV and a header lacking a column, naming each, and posts nothing', async () => {
    await startApi();
    const d = await writeFixtureDir(join(root, 'bad-files'), ALL, {
      payments: '',
      reviews: '"review_id","order_id","review_score","review_comment_title","review_comment_message","review_creation_date","review_answer_timestamp"\r\n\r\n',
      sellers: 'order_id,seq,payment_type\no1,1,boleto\n',
    });
    await writeFile(join(d, 'olist_orders_dataset.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]));
    await writeFile(join(d, 'olist_products_dataset.csv'), FIXTURE_ROWS.products.replace('"product_photos_qty",', ''));
    const summary = await load({ dir: d });
    expect(summary.files.filter((f) => f.status === 'invalid').map((f) => [f.file, f.error])).toEqual([
      ['sellers', 'olist_sellers_dataset.csv: not a CSV file of sellers: its first line names none of its columns (seller_id, seller_zip_code_prefix, seller_city, seller_state)'],
      ['products', expect.stringMatching(/^olist_products_dataset\.csv: header: column product_photos_qty is missing \(the header reads: "product_id", "product_category_name", /)],
      ['orders', expect.stringMatching(/^olist_orders_dataset\.csv: not a CSV file of orders: its first line names none of its columns/)],
      ['payments', 'olist_order_payments_dataset.csv: the file is empty'],
      ['reviews', 'olist_order_reviews_dataset.csv: the file has a header but no rows'],
    ]);
    expect(summary.error?.code).toBe('BAD_FILES');
    expect(summary.error?.message).toContain('olist_order_payments_dataset.csv: the file is empty');
    expect(api!.requests).toEqual([]);
    expect(exitCodeFor(summary)).toBe(1);
    expect(renderSummary(summary)).toMatch(/FAILED \(BAD_FILES\): nothing loaded: /);
  });

  it.each(CSV_VARIANTS.map((v) => [v.name, v] as const))('reads every file written as a public copy writes it: %s', async (_name, variant) => {
    await startApi();
    const d = await writeFixtureDir(join(root, `variant-${variant.name.replace(/\W+/g, '-')}`), []);
    for (const f of SOURCE_FILES) await writeFile(join(d, f.fileName), variant.make(FIXTURE_ROWS[f.name]));
    const summary = await load({ dir: d });
    expect(summary.ok).toBe(true);
    expect(summary.files.map((f) => [f.file, f.rowsRead])).toEqual(ALL.map((f) => [f, FIXTURE_COUNTS[f]]));
    // Each row arrives with the same value under each of its file's columns as the original file holds (csv-parse's reading of it).
    for (const name of ALL) {
      const columns: ReadonlyArray<string> = sourceFile(name)!.columns;
      const valuesOf = (header: ReadonlyArray<string>, values: ReadonlyArray<string | undefined>) =>
        Object.fromEntries(
          header
            .map((h, i) => [canonicalColumn(h), values[i]] as const)
            .filter(([c, v]) => columns.includes(c) && v !== undefined && v !== '')
            // Lost leading zeros are the API's to restore.
            .map(([c, v]) => [c, c.endsWith('_zip_code_prefix') ? v!.padStart(5, '0') : v]),
        );
      const [header, ...rows] = parse(FIXTURE_ROWS[name], { bom: true, relax_column_count: true }) as string[][];
      const posted = api!.batches.filter((b) => b.file === name).flatMap((b) => b.rows.map((r) => valuesOf(b.header, r.values)));
      expect([name, posted]).toEqual([name, rows.map((r) => valuesOf(header!, r))]);
    }
    expect(summary.files.some((f) => f.warnings.some((w) => w.startsWith('read as a variant of')))).toBe(variant.layout);
  });

  it('counts a response that does not account for every row as a failure', async () => {
    await startApi({
      intercept: ({ path }) =>
        path.endsWith('/files/sellers/batches')
          ? { status: 200, body: { file: 'sellers', accepted: 1, duplicates: 0, rejected: 0, eventsAppended: 1, results: [{ line: 2, outcome: 'accepted' }] } }
          : undefined,
    });
    const summary = await load({ only: ['sellers'] });
    expect(byFile(summary, 'sellers')).toMatchObject({ status: 'failed', failed: 1, warnings: ['the API answered for 1 of 2 rows in the batch starting at line 2'] });
    expect(exitCodeFor(summary)).toBe(1);
  });

  it('stops on abort and exits 130', async () => {
    const controller = new AbortController();
    await startApi();
    const summary = await load({
      batchSize: 1,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'file-finished' && e.file === 'sellers') controller.abort(new Error('interrupted'));
      },
    });
    expect(summary.error).toEqual({ code: 'ABORTED', message: 'aborted: interrupted' });
    expect(summary.completed).toBe(false);
    expect(exitCodeFor(summary)).toBe(130);
  });

  it('rejects bad options up front', async () => {
    await expect(load({ only: ['orderz'] })).rejects.toThrow(LoadOptionsError);
    await expect(load({ batchSize: 0 })).rejects.toThrow(/batch size/);
    await expect(load({ runId: 'nope' })).rejects.toThrow(/UUID/);
  });

  it('uses an explicit run id', async () => {
    await startApi();
    const runId = '0b6f1c2e-1111-4222-8333-944455556666';
    const summary = await load({ runId, only: ['categories'] });
    expect(summary.runId).toBe(runId);
    expect(api!.batches[0]!.runId).toBe(runId);
  });
});

describe('the CLI', () => {
  const capture = (): { stream: Writable & { isTTY?: boolean }; text: () => string } => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    return { stream, text: () => chunks.join('') };
  };
  const run = async (args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: {}, overrides: { retry: fastRetry } });
    return { code, stdout: out.text(), stderr: err.text() };
  };

  it('prints the summary as JSON with --json and exits 0', async () => {
    await startApi();
    const { code, stdout } = await run([dir, '--api', api!.url, '--json', '--log-level', 'silent', '--batch-size', '2']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as LoadSummary;
    expect(json).toMatchObject({ apiUrl: api!.url, ok: true, totals: { rowsRead: 21, rejected: 1 } });
    expect(json.files.find((f) => f.file === 'order_items')?.rejectionReasons).toHaveLength(1);
  });

  it('waits for the run\u2019s quality outcome and prints it', async () => {
    await startApi();
    const { code, stdout, stderr } = await run([dir, '--api', api!.url, '--log-level', 'silent', '--no-progress']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('Quality: SUCCESS, score 100 / 100 (0 of 0 checks passed)');
    expect(api!.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/pipeline-runs/')).length).toBeGreaterThan(0);
  });

  it('exits 2 when the run fails its quality checks, naming the failing rules', async () => {
    await startApi({
      completedRun: {
        status: 'FAILED', outcome: 'FAILED', quality_score: 62.5, error: 'quality score 62.5 is below 80',
        quality: { checks: [
          { rule_id: 'fact_orders.customer.referential', severity: 'CRITICAL', description: 'Every order\u2019s customer is registered', rows_failed: 12, rows_checked: 1000, passed: false },
          { rule_id: 'fact_orders.status.accepted_values', severity: 'CRITICAL', description: 'statuses', rows_failed: 0, rows_checked: 1000, passed: true },
        ] },
      },
    });
    const { code, stdout } = await run([dir, '--api', api!.url, '--log-level', 'silent', '--no-progress']);
    expect(code).toBe(2);
    expect(stdout).toContain('Quality: FAILED, score 62.5 / 100 (1 of 2 checks passed)');
    expect(stdout).toMatch(/CRITICAL\s+fact_orders\.customer\.referential: 12 of 1,000 rows/);
  });

  it('does not wait for quality with --wait-quality 0', async () => {
    await startApi();
    const { code, stdout } = await run([dir, '--api', api!.url, '--log-level', 'silent', '--no-progress', '--wait-quality', '0']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('Quality:');
    expect(api!.requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1/pipeline-runs/'))).toBe(false);
  });

  it('prints a table, and exits 1 when the API is unreachable', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await run([dir, '--api', `http://127.0.0.1:${port}`, '--log-level', 'silent', '--no-progress']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/file\s+rows read\s+accepted\s+duplicates\s+rejected\s+events\s+status\s+time/);
    expect(stderr).toContain(`error: API unreachable at http://127.0.0.1:${port}`);
  });

  it('refuses unknown file names and bad numbers', async () => {
    expect((await run([dir, '--only', 'orders,orderz'])).code).toBe(1);
    expect((await run([dir, '--batch-size', '0'])).stderr).toMatch(/batch-size.*positive integer/);
  });

  it('reads the API key from its option', async () => {
    await startApi();
    const seen: string[] = [];
    const out = capture();
    api!.requests.length = 0;
    const code = await runCli([dir, '--api', api!.url, '--api-key', 's3cret', '--only', 'categories', '--log-level', 'silent', '--json'], {
      stdout: out.stream,
      stderr: capture().stream,
      env: {},
      overrides: {
        fetch: (input, init) => {
          seen.push(new Headers(init?.headers).get('authorization') ?? '');
          return fetch(input, init);
        },
      },
    });
    expect(code).toBe(0);
    expect(new Set(seen)).toEqual(new Set(['Bearer s3cret']));
  });
});

describe('a directory with a file holding a quote never closed on its line', () => {
  it('posts that line as one row telling the API where the quote opened, and the rows after it as they are', async () => {
    await startApi();
    const d = join(root, 'open-quote');
    await writeFixtureDir(d, ['categories']);
    await writeFile(join(d, 'product_category_name_translation.csv'), 'product_category_name,product_category_name_english\nartes,art\n"oops,x\nbeleza_saude,health_beauty\n');
    const summary = await load({ dir: d, only: ['categories'] });
    expect(api!.rowsOf('categories')).toEqual([
      { line: 2, values: ['artes', 'art'] },
      { line: 3, values: ['"oops,x'], defects: [{ position: 0, kind: 'unclosed-quote' }] },
      { line: 4, values: ['beleza_saude', 'health_beauty'] },
    ]);
    expect(byFile(summary, 'categories')).toMatchObject({ rowsRead: 3, rejected: 1, accepted: 2, status: 'loaded', warnings: [] });
  });
});
