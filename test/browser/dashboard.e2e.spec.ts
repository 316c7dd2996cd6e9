/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDbClient } from '@olist/duckdb';
import { generateDataset } from '@olist/generator';
import { IdentityStore } from '@olist/security';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmbeddedApi, type EmbeddedApi, type RunView } from '../support/embedded-api.js';

/**
 * The dashboard in a real browser (headless Chromium driven by playwright-core) over the real API in embedded
 * mode and a generated 5,000-order dataset with injected defects: every chart shows the numbers the API's marts
 * answer, the headline figures match the star schema, the operations view shows the run, its files and failing
 * rules, the quarantine filter asks the API and shows only matching rows, and a key whose role may not read a
 * view is told so. Fails on any console error (a Content-Security-Policy refusal is one). Screenshots go to a
 * temporary directory, or to DASHBOARD_SCREENSHOTS (e.g. docs/images) when set.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ORDERS = 5_000;
const SEED = 2013;
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  console.warn(`dashboard browser test SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
}

interface MartPage<T> {
  readonly total: number;
  readonly rows: T[];
}
interface ChartOption {
  readonly xAxis: Array<unknown[] | undefined>;
  readonly yAxis: Array<unknown[] | undefined>;
  readonly series: Array<{ id: string; type: string; data: unknown[] }>;
  readonly canvas: { width: number; height: number } | null;
}
interface QuarantinePage {
  readonly total: number;
  readonly rows: Array<{ file: string; line: number; reasons: string[] }>;
}
type RunDetail = RunView & {
  run_id: string;
  statistics: Array<{ file: string; batches: number; rows: number; accepted: number; duplicates: number; rejected: number; events_appended: number }>;
  rejections: Array<{ file: string; reason: string; rows: number }>;
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const en = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

(haveBrowser ? describe : describe.skip)('dashboard in headless Chromium over a 5,000-order demo', () => {
  let dataDir: string;
  let shots: string;
  let api: EmbeddedApi;
  let browser: Browser;
  let dw: DuckDbClient;
  let run: RunDetail;
  const keys: Record<'analyst' | 'viewer', string> = { analyst: '', viewer: '' };

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api.url}${path}`, { headers: api.headers });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  /** A page in a fresh context (its own session storage), with every console error and page error collected. */
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    return { page, errors, close: () => context.close() };
  };

  const signIn = async (page: Page, key: string, path = '/dashboard') => {
    const answer = await page.goto(`${api.url}${path}`);
    // The page runs under the API's Content-Security-Policy: scripts from the same origin only, so any inline script would be refused.
    expect(answer?.headers()['content-security-policy']).toMatch(/script-src 'self';.*script-src-attr 'none'/);
    // …and no upgrade-insecure-requests: served over plain HTTP from another host, the page must still load its scripts.
    expect(answer?.headers()['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  /** The text of an element once it is shown with some text (a message written after a request). */
  const shownText = async (page: Page, selector: string): Promise<string> => {
    await page.waitForFunction((s) => {
      const node = document.querySelector<HTMLElement>(s);
      return node !== null && !node.hidden && (node.textContent ?? '') !== '';
    }, selector, { timeout: 15_000 });
    return (await page.textContent(selector))!;
  };

  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(shots, name), fullPage: true });

  beforeAll(async () => {
    const started = Date.now();
    console.log(`dashboard browser test: ${ORDERS} orders, seed ${SEED}, Chromium ${CHROMIUM}`);
    dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-dashboard-'));
    shots = process.env.DASHBOARD_SCREENSHOTS ? resolve(process.env.DASHBOARD_SCREENSHOTS) : join(dataDir, 'screenshots');
    await mkdir(shots, { recursive: true });
    // Defects put rejected rows of several files and reasons in the quarantine, and failing rules in the quality report.
    await generateDataset({ orders: ORDERS, seed: SEED, outDir: join(dataDir, 'csv'), defects: { rate: 0.002 } });
    api = await startEmbeddedApi();
    const load = await api.loadAndSettle(join(dataDir, 'csv'), 500);
    run = await get<RunDetail>(`/v1/pipeline-runs/${load.runId}`);
    const identities = api.app.get(IdentityStore);
    for (const role of ['analyst', 'viewer'] as const) {
      await identities.addUser(`dashboard-${role}`, role);
      keys[role] = (await identities.createKey(`dashboard-${role}`)).key;
    }
    dw = await api.duckdb();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    console.log(`dashboard browser test: data loaded and browser started in ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${shots}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    dw?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the dataset has rejected rows of more than one file and reason, and failing quality rules', () => {
    expect(new Set(run.rejections.map((r) => r.file)).size).toBeGreaterThan(1);
    expect(new Set(run.rejections.map((r) => r.reason)).size).toBeGreaterThan(1);
    expect(run.quality?.checks.some((c) => !c.passed)).toBe(true);
  });

  it('draws every chart of the analytics view with the numbers of the marts, and headline figures that match the star schema', async () => {
    const { page, errors, close } = await open();
    await signIn(page, api.adminKey);
    await page.waitForSelector('#analytics[data-state="ready"]', { timeout: 30_000 });
    const chartIds = await page.$$eval('.chart', (nodes) => nodes.map((n) => n.id));
    expect(chartIds).toEqual(['chart-monthly-revenue', 'chart-delivery-states', 'chart-categories', 'chart-review-delay', 'chart-payment-mix']);
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((n) => (n as HTMLElement).dataset.state === 'ready'), undefined, { timeout: 30_000 });
    const charts = await page.evaluate(() => {
      const echarts = (globalThis as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): Record<string, Array<Record<string, unknown>>> } } }).echarts;
      return Object.fromEntries([...document.querySelectorAll('.chart')].map((node) => {
        const option = echarts.getInstanceByDom(node).getOption();
        const canvas = node.querySelector('canvas');
        return [node.id, {
          xAxis: (option.xAxis ?? []).map((a) => a.data),
          yAxis: (option.yAxis ?? []).map((a) => a.data),
          series: option.series!.map((s) => ({ id: s.id, type: s.type, data: s.data })),
          canvas: canvas ? { width: canvas.width, height: canvas.height } : null,
        }];
      }));
    }) as Record<string, ChartOption>;
    for (const [id, chart] of Object.entries(charts)) {
      expect([id, chart.canvas && chart.canvas.width > 0 && chart.canvas.height > 0]).toEqual([id, true]);
    }
    const series = (id: string, seriesId: string) => charts[id]!.series.find((s) => s.id === seriesId)!.data;

    // Monthly revenue and orders: the series are GET /v1/marts/monthly_revenue, month by month.
    const monthly = await get<MartPage<{ month: string; orders: number; revenue: number }>>('/v1/marts/monthly_revenue?limit=1000');
    expect(monthly.rows.length).toBeGreaterThan(12);
    expect(charts['chart-monthly-revenue']!.xAxis[0]).toEqual(monthly.rows.map((r) => r.month.slice(0, 7)));
    expect(series('chart-monthly-revenue', 'revenue')).toEqual(monthly.rows.map((r) => r.revenue));
    expect(series('chart-monthly-revenue', 'orders')).toEqual(monthly.rows.map((r) => r.orders));

    // Delivery by state: every state of the mart, its figures as the star schema gives them.
    const states = await dw.query<{ state: string; delivered: bigint; on_time_pct: number; avg_days: number }>(`
      SELECT coalesce(c.state, 'unknown') AS state, count(*) AS delivered,
             100.0 * avg(CASE WHEN d.on_time THEN 1 ELSE 0 END) FILTER (WHERE d.on_time IS NOT NULL) AS on_time_pct, avg(d.delivery_days) AS avg_days
      FROM core.fact_deliveries d JOIN core.fact_orders o USING (order_id) LEFT JOIN core.dim_customer c ON c.customer_key = o.customer_key
      WHERE d.delivered_at IS NOT NULL AND o.purchased_at IS NOT NULL
      GROUP BY 1 ORDER BY delivered DESC, state`);
    const delivery = await get<MartPage<{ customer_state: string }>>('/v1/marts/delivery_performance?limit=100000');
    expect(new Set(delivery.rows.map((r) => r.customer_state)).size).toBe(states.length);
    expect(states.length).toBeGreaterThan(20);
    expect(charts['chart-delivery-states']!.xAxis[0]).toEqual(states.map((s) => s.state));
    const onTime = series('chart-delivery-states', 'on_time_pct') as number[];
    const days = series('chart-delivery-states', 'avg_delivery_days') as number[];
    states.forEach((s, i) => {
      expect([s.state, onTime[i]]).toEqual([s.state, expect.closeTo(Number(s.on_time_pct), 9)]);
      expect([s.state, days[i]]).toEqual([s.state, expect.closeTo(Number(s.avg_days), 9)]);
    });

    // Category performance: the top 20 of GET /v1/marts/category_performance, in rank order.
    const categories = await get<MartPage<{ category: string; gmv: number }>>('/v1/marts/category_performance?limit=20');
    expect(categories.rows).toHaveLength(20);
    expect(charts['chart-categories']!.yAxis[0]).toEqual(categories.rows.map((r) => r.category));
    expect(series('chart-categories', 'gmv')).toEqual(categories.rows.map((r) => r.gmv));

    // Review score vs delay: the eight buckets, empty ones included (null averages).
    const reviews = await get<MartPage<{ delay_bucket: string; avg_score: number | null; low_score_pct: number | null }>>('/v1/marts/review_vs_delivery');
    expect(charts['chart-review-delay']!.xAxis[0]).toEqual(reviews.rows.map((r) => r.delay_bucket));
    expect(series('chart-review-delay', 'avg_score')).toEqual(reviews.rows.map((r) => r.avg_score));
    expect(series('chart-review-delay', 'low_score_pct')).toEqual(reviews.rows.map((r) => r.low_score_pct));

    // Payment mix: value by payment type.
    const payments = await get<MartPage<{ payment_type: string; value: number }>>('/v1/marts/payment_mix');
    expect(payments.rows.length).toBeGreaterThan(2);
    expect(series('chart-payment-mix', 'value')).toEqual(payments.rows.map((r) => ({ name: r.payment_type, value: r.value })));

    // Seller scorecard: the top 20 by GMV, with their figures.
    const sellers = await get<MartPage<{ seller_id: string; gmv: number; orders: number }>>('/v1/marts/seller_scorecard?limit=20');
    const shown = await page.$$eval('#seller-scorecard tbody tr', (rows) => rows.map((r) => ({
      seller: (r as HTMLElement).dataset.sellerId, gmv: r.children[4]!.textContent, orders: r.children[5]!.textContent,
    })));
    expect(shown).toEqual(sellers.rows.map((s) => ({ seller: s.seller_id, gmv: en(2).format(s.gmv), orders: en(0).format(s.orders) })));

    // Headline figures: the page sums the marts; the star schema says what they must come to.
    const h = (await dw.queryOne<Record<string, number | bigint>>(`
      SELECT
        (SELECT count(*) FROM core.fact_orders WHERE purchased_at IS NOT NULL AND order_status NOT IN ('canceled', 'unavailable')) AS orders,
        (SELECT CAST(sum(i.price) AS DOUBLE) FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
          WHERE o.purchased_at IS NOT NULL AND o.order_status NOT IN ('canceled', 'unavailable')) AS gmv,
        (SELECT CAST(sum(i.price + i.freight_value) AS DOUBLE) FROM core.fact_order_items i JOIN core.fact_orders o USING (order_id)
          WHERE o.purchased_at IS NOT NULL AND o.order_status NOT IN ('canceled', 'unavailable')) AS revenue,
        (SELECT 100.0 * avg(CASE WHEN d.on_time THEN 1 ELSE 0 END) FROM core.fact_deliveries d JOIN core.fact_orders o USING (order_id)
          WHERE d.delivered_at IS NOT NULL AND d.on_time IS NOT NULL AND o.purchased_at IS NOT NULL) AS on_time_pct,
        (SELECT avg(r.score) FROM core.fact_reviews r JOIN core.fact_deliveries d USING (order_id)
          WHERE r.score IS NOT NULL AND d.delivered_at IS NOT NULL AND d.delay_days IS NOT NULL) AS avg_review`))!;
    const figures = await page.$$eval('#headline dd[id]', (nodes) => Object.fromEntries(nodes.map((n) => [n.id, { value: (n as HTMLElement).dataset.value, text: n.textContent }])));
    expect(Number(figures['figure-orders']!.value)).toBe(Number(h.orders));
    expect(Number(figures['figure-gmv']!.value)).toBeCloseTo(Number(h.gmv), 2);
    expect(Number(figures['figure-revenue']!.value)).toBeCloseTo(Number(h.revenue), 2);
    expect(Number(figures['figure-on-time']!.value)).toBeCloseTo(Number(h.on_time_pct), 9);
    expect(Number(figures['figure-review']!.value)).toBeCloseTo(Number(h.avg_review), 9);
    expect(figures['figure-orders']!.text).toBe(en(0).format(Number(h.orders)));
    expect(figures['figure-gmv']!.text).toBe(`R$ ${en(2).format(Number(h.gmv))}`);
    expect(figures['figure-revenue']!.text).toBe(`R$ ${en(2).format(Number(h.revenue))}`);
    expect(figures['figure-on-time']!.text).toBe(`${en(1).format(Number(h.on_time_pct))} %`);
    expect(figures['figure-review']!.text).toBe(en(2).format(Number(h.avg_review)));

    await screenshot(page, 'dashboard-analytics.png');
    expect(errors).toEqual([]);
    await close();
  }, 90_000);

  it('shows the run, its files, its failing rules with samples and the projections; the quarantine filter asks the API', async () => {
    const { page, errors, close } = await open();
    await signIn(page, api.adminKey);
    await page.waitForSelector('#analytics[data-state="ready"]', { timeout: 30_000 });
    await page.getByRole('link', { name: 'Operations' }).click();
    await page.waitForSelector('#operations[data-state="ready"]', { timeout: 30_000 });

    const runRow = await page.$eval(`#runs tr[data-run-id="${run.run_id}"]`, (r) => [...r.children].map((c) => c.textContent));
    expect(runRow.slice(2, 5)).toEqual([run.status, run.outcome, en(2).format(run.quality_score!)]);
    const files = await page.$$eval('#run-files tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(files).toEqual(run.statistics.map((f) => [f.file, ...[f.batches, f.rows, f.accepted, f.duplicates, f.rejected, f.events_appended].map((n) => en(0).format(n))]));
    const failing = run.quality!.checks.filter((c) => !c.passed);
    const rules = await page.$$eval('#failing-rules article', (nodes) => nodes.map((n) => ({
      rule: (n as HTMLElement).dataset.ruleId, samples: n.querySelectorAll('tbody tr').length,
    })));
    expect(rules).toEqual(failing.map((c) => ({ rule: c.rule_id, samples: c.samples.length })));
    const status = await get<{ projections: Array<{ name: string; eventsProjected: number }> }>('/v1/projections/status');
    const projections = await page.$$eval('#projections tbody tr', (rows) => rows.map((r) => [r.children[0]!.textContent, r.children[2]!.textContent]));
    expect(projections).toEqual(status.projections.map((p) => [p.name, en(0).format(p.eventsProjected)]));
    expect(await shownText(page, '#mart-lag')).toContain('up to date with the star schema');

    const shownRows = () => page.$$eval('#quarantine tbody tr', (rows) => rows.map((r) => ({
      file: (r as HTMLElement).dataset.file!, line: Number((r as HTMLElement).dataset.line), reasons: [...r.querySelectorAll('li.reason')].map((li) => li.textContent!),
    })));
    const waitForQuarantine = (query: Record<string, unknown>) =>
      page.waitForSelector(`#quarantine[data-state="ready"][data-query='${JSON.stringify(query).replace(/'/g, "\\'")}']`, { timeout: 15_000 });
    const apiPage = (query: Record<string, string | number>) =>
      get<QuarantinePage>(`/v1/quarantine?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)]))}`);

    // First the newest run's quarantine, unfiltered: the API's first page.
    const all = { runId: run.run_id, file: '', reason: '', limit: 25, offset: 0 };
    await waitForQuarantine(all);
    const unfiltered = await apiPage(all);
    expect(unfiltered.total).toBe(run.rejections.reduce((t, r) => t + r.rows, 0));
    expect(await shownRows()).toEqual(unfiltered.rows.map((r) => ({ file: r.file, line: r.line, reasons: r.reasons })));

    // A file and its most frequent reason: only those rows, as many as the API counts.
    const [file, reason] = (() => {
      const top = [...run.rejections].sort((a, b) => b.rows - a.rows)[0]!;
      return [top.file, top.reason];
    })();
    await page.selectOption('#filter-file', file);
    await page.waitForSelector(`#quarantine-filter[data-state="ready"][data-file="${file}"]`);
    await page.selectOption('#filter-reason', { value: reason });
    await page.getByRole('button', { name: 'Filter' }).click();
    const narrow = { runId: run.run_id, file, reason, limit: 25, offset: 0 };
    await waitForQuarantine(narrow);
    const expectedNarrow = await apiPage(narrow);
    expect(expectedNarrow.total).toBeGreaterThan(0);
    expect(expectedNarrow.total).toBeLessThan(unfiltered.total);
    const narrowRows = await shownRows();
    expect(narrowRows.length).toBe(Math.min(25, expectedNarrow.total));
    expect(narrowRows.every((r) => r.file === file && r.reasons.includes(reason))).toBe(true);
    expect(narrowRows).toEqual(expectedNarrow.rows.map((r) => ({ file: r.file, line: r.line, reasons: r.reasons })));
    expect(await page.getAttribute('#quarantine-count', 'data-total')).toBe(String(expectedNarrow.total));

    // Another file, any reason: every row of that file and no other.
    const other = run.rejections.map((r) => r.file).find((f) => f !== file)!;
    await page.selectOption('#filter-file', other);
    await page.waitForSelector(`#quarantine-filter[data-state="ready"][data-file="${other}"]`);
    await page.selectOption('#filter-reason', { value: '' });
    await page.getByRole('button', { name: 'Filter' }).click();
    const byFile = { runId: run.run_id, file: other, reason: '', limit: 25, offset: 0 };
    await waitForQuarantine(byFile);
    const expectedByFile = await apiPage(byFile);
    const byFileRows = await shownRows();
    expect(byFileRows.length).toBeGreaterThan(0);
    expect(byFileRows.every((r) => r.file === other)).toBe(true);
    expect(byFileRows).toEqual(expectedByFile.rows.map((r) => ({ file: r.file, line: r.line, reasons: r.reasons })));

    await screenshot(page, 'dashboard-operations.png');
    expect(errors).toEqual([]);
    await close();
  }, 90_000);

  it('tells a key whose role may not read a view why, and refuses an unknown key', async () => {
    // The browser reports each refused request as a console error; nothing else may be one.
    const refusals = /^(console: Failed to load resource: the server responded with a status of (401|403)|HTTP (401|403): )/;

    const analyst = await open();
    await signIn(analyst.page, keys.analyst);
    await analyst.page.waitForSelector('#analytics[data-state="ready"]', { timeout: 30_000 });
    await analyst.page.getByRole('link', { name: 'Operations' }).click();
    await analyst.page.waitForSelector('#operations[data-state="ready"]', { timeout: 30_000 });
    expect(await shownText(analyst.page, '#runs-message')).toBe(
      "Your key's role analyst may not read pipeline runs. It needs one of: admin, loader, auditor, viewer.");
    expect(await shownText(analyst.page, '#quarantine-message')).toContain("Your key's role analyst may not read the quarantine.");
    expect(analyst.errors.filter((e) => !refusals.test(e))).toEqual([]);
    await analyst.close();

    const viewer = await open();
    await signIn(viewer.page, keys.viewer);
    await viewer.page.waitForSelector('#analytics[data-state="error"]', { timeout: 30_000 });
    expect(await shownText(viewer.page, '#analytics-message')).toBe(
      "Your key's role viewer may not read the marts. It needs one of: admin, analyst, auditor.");
    expect(await viewer.page.$$eval('.chart', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.state))).toEqual(Array(5).fill('error'));
    await viewer.page.getByRole('link', { name: 'Operations' }).click();
    await viewer.page.waitForSelector('#operations[data-state="ready"]', { timeout: 30_000 });
    expect(await viewer.page.$$eval('#runs tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    expect(viewer.errors.filter((e) => !refusals.test(e))).toEqual([]);
    await viewer.close();

    const stranger = await open();
    await signIn(stranger.page, 'odw_0123456789abcdefghijklmnopqrstuvwxyzABCD', '/');
    expect(await shownText(stranger.page, '#sign-in-message')).toContain('The API refused the key');
    expect(await stranger.page.isVisible('#analytics')).toBe(false);
    expect(stranger.errors.filter((e) => !refusals.test(e))).toEqual([]);
    await stranger.close();
  }, 90_000);
});
