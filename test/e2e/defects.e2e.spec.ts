import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, MANIFEST_FILE_NAME, type DefectManifest, type QualityFindingKind } from '@olist/generator';
import { loadDirectory, type LoadSummary } from '@olist/loader';
import { startEmbeddedApi, type EmbeddedApi, type RunView } from '../support/embedded-api.js';

/** The rule of the shipped rule set that counts each kind of finding the generator's manifest lists. */
const RULE_OF: Readonly<Record<QualityFindingKind, string>> = {
  delivered_before_purchase: 'fact_orders.delivered_after_purchase',
  carrier_before_approval: 'fact_orders.carrier_after_approval',
  zero_installments: 'fact_payments.installments.range',
  payments_not_matching_items: 'fact_orders.payments_match_items',
  unknown_customer: 'fact_orders.customer.referential',
  unknown_product: 'fact_order_items.product.referential',
  unknown_seller: 'fact_order_items.seller.referential',
};
const WEIGHT: Readonly<Record<string, number>> = { CRITICAL: 3, WARNING: 2, INFO: 1 };

type Check = NonNullable<RunView['quality']>['checks'][number] & { threshold: number };

/**
 * A generated dataset with injected defects of every kind, through the HTTP API: the quarantine holds
 * exactly the manifest's rejections, the quality checks count exactly its findings, and the run ends with
 * the score and outcome those findings give.
 */
describe('end to end: injected defects yield exactly the manifest', () => {
  let dir: string;
  let api: EmbeddedApi;
  let manifest: DefectManifest;
  let summary: LoadSummary;
  let run: RunView;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olist-dw-defects-'));
    await generateDataset({ orders: 600, seed: 5, outDir: dir, defects: { rate: 0.01 } });
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE_NAME), 'utf8')) as DefectManifest;
    api = await startEmbeddedApi();
    summary = await loadDirectory({ dir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 200, qualityWaitMs: 120_000 });
    run = await api.waitForRunOutcome(summary.runId);
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('injects every kind of defect', () => {
    expect(Object.entries(manifest.counts.byKind).filter(([, n]) => n === 0)).toEqual([]);
  });

  it('quarantines exactly the injected rejections, each with its one expected reason', async () => {
    const body = (await (await fetch(`${api.url}/v1/quarantine?runId=${summary.runId}&limit=1000`, { headers: api.headers })).json()) as {
      total: number; rows: Array<{ file: string; line: number; reasons: string[] }>;
    };
    const quarantined = body.rows.map((r) => `${r.file}:${r.line}: ${r.reasons.join(' | ')}`).sort();
    const expected = manifest.defects.filter((d) => d.class === 'rejection').map((d) => `${d.file}:${d.line}: ${d.expectedReason}`).sort();
    expect(body.total).toBe(expected.length);
    expect(quarantined).toEqual(expected);
    expect(summary.totals.rejected).toBe(expected.length);
  });

  it('counts every file on the server side as the loader saw it (rows, accepted, duplicates, rejected, events)', () => {
    const statistics = (run as unknown as { statistics: Array<Record<string, number | string>> }).statistics;
    const server = Object.fromEntries(statistics.map((s) => [s.file, [s.rows, s.accepted, s.duplicates, s.rejected, s.events_appended]]));
    const loader = Object.fromEntries(summary.files.map((f) => [f.file, [f.rowsRead, f.accepted, f.duplicates, f.rejected, f.eventsAppended]]));
    expect(server).toEqual(loader);
  });

  it('counts exactly the manifest\u2019s findings, rule by rule, and no other rule fails', () => {
    const checks = new Map(run.quality!.checks.map((c) => [c.rule_id, c as Check]));
    const findings = (kind: QualityFindingKind) => manifest.defects.filter((d) => d.kind === kind);
    for (const [kind, ruleId] of Object.entries(RULE_OF) as Array<[QualityFindingKind, string]>) {
      expect([kind, checks.get(ruleId)?.rows_failed]).toEqual([kind, findings(kind).length]);
    }
    const counted = new Set(Object.values(RULE_OF));
    // Other quirks of the generator (products without category, delivered orders without a date) stay within their rules' thresholds.
    expect(run.quality!.checks.filter((c) => !counted.has(c.rule_id) && !c.passed).map((c) => c.rule_id)).toEqual([]);
  });

  it('names the failing rules with sample rows from the manifest', () => {
    const failing = run.quality!.checks.filter((c) => !c.passed);
    expect(failing.map((c) => c.rule_id)).toEqual(expect.arrayContaining([RULE_OF.unknown_customer, RULE_OF.unknown_product, RULE_OF.unknown_seller]));
    const orders = new Set(manifest.defects.filter((d) => d.kind === 'unknown_customer').map((d) => d.key.order_id));
    const samples = failing.find((c) => c.rule_id === RULE_OF.unknown_customer)!.samples;
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect(orders.has(s.order_id!)).toBe(true);
  });

  it('ends the run with the score its checks give, and WARN or FAILED', () => {
    const checks = run.quality!.checks as Check[];
    // Independently of the engine: a check passes when failed / checked <= its threshold; weights 3 / 2 / 1.
    const passes = (c: Check) => c.rows_failed === 0 || c.rows_failed / c.rows_checked <= c.threshold;
    for (const c of checks) expect([c.rule_id, c.passed]).toEqual([c.rule_id, passes(c)]);
    const total = checks.reduce((s, c) => s + WEIGHT[c.severity]!, 0);
    const passed = checks.filter(passes).reduce((s, c) => s + WEIGHT[c.severity]!, 0);
    const score = Math.round((passed / total) * 10_000) / 100;
    expect(run.quality_score).toBe(score);
    expect(run.quality!.score).toBe(score);
    expect(score).toBeLessThan(95);
    expect(run.outcome).toBe(score < 80 ? 'FAILED' : 'WARN');
    expect(run.status).toBe(score < 80 ? 'FAILED' : 'COMPLETED');
    expect(summary.quality).toMatchObject({ outcome: run.outcome, score });
  });
});

describe('end to end: a clean generated dataset passes its quality checks', () => {
  it('completes with SUCCESS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'olist-dw-clean-'));
    const api = await startEmbeddedApi();
    try {
      await generateDataset({ orders: 600, seed: 5, outDir: dir });
      const summary = await loadDirectory({ dir, apiUrl: api.url, apiKey: api.adminKey, batchSize: 200, qualityWaitMs: 120_000 });
      const run = await api.waitForRunOutcome(summary.runId);
      expect(run.quality!.checks.filter((c) => !c.passed).map((c) => `${c.rule_id}: ${c.rows_failed}/${c.rows_checked}`)).toEqual([]);
      expect(run).toMatchObject({ status: 'COMPLETED', outcome: 'SUCCESS', quality_score: 100 });
    } finally {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
