import { jest } from '@jest/globals';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customerDecider, reviewDecider, zipCodeDecider } from '@olist/customer';
import { shipmentDecider } from '@olist/fulfillment';
import { RowParser, SOURCE_FILES, type RowCommand, type SourceFileName } from '@olist/ingestion';
import { categoryDecider, productDecider, sellerDecider } from '@olist/marketplace';
import { orderDecider } from '@olist/sales';
import { parseCentavos, type Decider, type DomainEvent } from '@olist/shared-kernel';
import {
  DEFECT_KINDS, FINDING_RULES, MANIFEST_FILE_NAME, QUALITY_FINDING_KINDS, REJECTION_KINDS, generateDataset,
  type DefectManifest, type DefectRecord, type QualityFindingKind,
} from '@olist/generator';
// The loader's own CSV reader: csv-parse (bom, relax_column_count) and the physical line of each record.
import { CsvSource } from '@olist/loader';

jest.setTimeout(120_000);

const tmpDirs: string[] = [];
const tmp = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'olist-defects-'));
  tmpDirs.push(d);
  return d;
};
afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

const readManifest = async (dir: string): Promise<DefectManifest> =>
  JSON.parse(await readFile(join(dir, MANIFEST_FILE_NAME), 'utf8')) as DefectManifest;

interface Outcome {
  readonly file: SourceFileName;
  readonly line: number;
  readonly reasons: ReadonlyArray<string>;
}
interface AcceptedRow {
  readonly line: number;
  readonly commands: ReadonlyArray<RowCommand>;
}

/** Runs commands through one decider per stream, evolving the state on acceptance. */
class Streams<C, S, E extends DomainEvent> {
  readonly states = new Map<string, S>();
  constructor(private readonly decider: Decider<C, S, E>) {}
  decide(key: string, command: C): ReadonlyArray<string> {
    const state = this.states.get(key) ?? this.decider.initialState();
    const decision = this.decider.decide(command, state);
    if (decision.kind === 'rejected') return decision.reasons;
    this.states.set(key, decision.events.reduce(this.decider.evolve, state));
    return [];
  }
}

/**
 * What the command side does with a directory, without the API: every row through `RowParser`, then
 * every command through its aggregate's decider (files in the loader's order). Returns the rejected rows
 * and the accepted ones per file.
 */
const ingest = async (dir: string): Promise<{ rejections: Outcome[]; accepted: Record<SourceFileName, AcceptedRow[]> }> => {
  const rejections: Outcome[] = [];
  const accepted = Object.fromEntries(SOURCE_FILES.map((f) => [f.name, []])) as unknown as Record<SourceFileName, AcceptedRow[]>;
  const orders = new Streams(orderDecider);
  const streams = {
    category: new Streams(categoryDecider), seller: new Streams(sellerDecider), product: new Streams(productDecider),
    customer: new Streams(customerDecider), zip: new Streams(zipCodeDecider), shipment: new Streams(shipmentDecider),
    review: new Streams(reviewDecider),
  };
  const decide = (c: RowCommand): ReadonlyArray<string> => {
    switch (c.type) {
      case 'RegisterCategory': return streams.category.decide(c.category, c);
      case 'RegisterSeller': return streams.seller.decide(c.sellerId, c);
      case 'ListProduct': return streams.product.decide(c.productId, c);
      case 'RegisterCustomer': return streams.customer.decide(c.customerUniqueId, c);
      case 'LocateZipCode': return streams.zip.decide(c.zipPrefix, c);
      case 'PlaceOrder':
      case 'AddOrderItem':
      case 'ReceivePayment': return orders.decide(c.orderId, c);
      case 'TrackShipment': return streams.shipment.decide(c.orderId, c);
      case 'SubmitReview': {
        const orderKnown = orders.states.get(c.orderId)?.status === 'placed';
        return streams.review.decide(c.reviewId, { ...c, orderKnown });
      }
      default: throw new Error('unexpected command');
    }
  };
  for (const file of SOURCE_FILES) {
    const source = new CsvSource(join(dir, file.fileName));
    let parser: RowParser | undefined;
    for await (const record of source.records()) {
      if (parser === undefined) {
        if (record.line !== 1) throw new Error(`${file.fileName}: header on line ${record.line}`);
        parser = new RowParser(file, record.values);
        continue;
      }
      if (record.defects !== undefined) throw new Error(`${file.fileName}:${record.line}: ${JSON.stringify(record.defects)}`);
      const parsed = parser.parse(record.values);
      if (parsed.kind === 'invalid') {
        rejections.push({ file: file.name, line: record.line, reasons: parsed.reasons });
        continue;
      }
      const reasons = parsed.commands.flatMap(decide);
      if (reasons.length > 0) rejections.push({ file: file.name, line: record.line, reasons });
      else accepted[file.name].push({ line: record.line, commands: parsed.commands });
    }
  }
  return { rejections, accepted };
};

type Finding = { kind: QualityFindingKind; file: SourceFileName; line: number };

/** The quality findings of spec §6, computed straight from the accepted commands (independently of the generator). */
const findingsOf = (accepted: Record<SourceFileName, AcceptedRow[]>): Finding[] => {
  const out: Finding[] = [];
  const ids = (file: SourceFileName, pick: (c: RowCommand) => string | undefined): Set<string> =>
    new Set(accepted[file].flatMap((r) => r.commands.map(pick)).filter((v): v is string => v !== undefined));
  const customers = ids('customers', (c) => (c.type === 'RegisterCustomer' ? c.customerId : undefined));
  const products = ids('products', (c) => (c.type === 'ListProduct' ? c.productId : undefined));
  const sellers = ids('sellers', (c) => (c.type === 'RegisterSeller' ? c.sellerId : undefined));
  for (const { line, commands } of accepted.orders) {
    for (const c of commands) {
      if (c.type === 'PlaceOrder') {
        if (!customers.has(c.customerId)) out.push({ kind: 'unknown_customer', file: 'orders', line });
      }
      if (c.type === 'TrackShipment') {
        const place = commands.find((p) => p.type === 'PlaceOrder');
        if (place?.type !== 'PlaceOrder') continue;
        if (c.deliveredAt !== null && c.deliveredAt < place.purchasedAt) out.push({ kind: 'delivered_before_purchase', file: 'orders', line });
        if (c.dispatchedAt !== null && place.approvedAt !== null && c.dispatchedAt < place.approvedAt) {
          out.push({ kind: 'carrier_before_approval', file: 'orders', line });
        }
      }
    }
  }
  const itemTotals = new Map<string, number>();
  for (const { line, commands } of accepted.order_items) {
    for (const c of commands) {
      if (c.type !== 'AddOrderItem') continue;
      if (!products.has(c.productId)) out.push({ kind: 'unknown_product', file: 'order_items', line });
      if (!sellers.has(c.sellerId)) out.push({ kind: 'unknown_seller', file: 'order_items', line });
      itemTotals.set(c.orderId, (itemTotals.get(c.orderId) ?? 0) + c.price + c.freight);
    }
  }
  const payments = new Map<string, { sum: number; line: number }>();
  for (const { line, commands } of accepted.payments) {
    for (const c of commands) {
      if (c.type !== 'ReceivePayment') continue;
      if (c.installments === 0) out.push({ kind: 'zero_installments', file: 'payments', line });
      const p = payments.get(c.orderId);
      if (p) p.sum += c.value;
      else payments.set(c.orderId, { sum: c.value, line });
    }
  }
  for (const [orderId, total] of itemTotals) {
    const p = payments.get(orderId);
    if (p === undefined) throw new Error(`order ${orderId} has items and no payment`);
    if (p.sum !== total) out.push({ kind: 'payments_not_matching_items', file: 'payments', line: p.line });
  }
  return out;
};

const rejectionKey = (r: { file: string; line: number; reasons: ReadonlyArray<string> }): string =>
  `${r.file}:${r.line} ${JSON.stringify(r.reasons)}`;
const findingKey = (f: { kind: string; file: string; line: number }): string => `${f.file}:${f.line} ${f.kind}`;
const sorted = (keys: string[]): string[] => [...keys].sort();

describe('defect injection (2,000 orders, default rate)', () => {
  let dir: string;
  let manifest: DefectManifest;
  let ingested: Awaited<ReturnType<typeof ingest>>;

  beforeAll(async () => {
    dir = await tmp();
    const summary = await generateDataset({ orders: 2000, seed: 42, outDir: dir, defects: true });
    manifest = await readManifest(dir);
    expect(summary.defects?.total).toBe(manifest.defects.length);
    ingested = await ingest(dir);
  }, 120_000);

  it('injects at least one defect of every kind, and rejections only of the rejection kinds', () => {
    for (const kind of DEFECT_KINDS) expect([kind, manifest.counts.byKind[kind]]).toEqual([kind, expect.any(Number)]);
    for (const kind of DEFECT_KINDS) expect(manifest.counts.byKind[kind]).toBeGreaterThanOrEqual(1);
    for (const d of manifest.defects) {
      expect(d.class).toBe((REJECTION_KINDS as ReadonlyArray<string>).includes(d.kind) ? 'rejection' : 'quality_finding');
      if (d.class === 'rejection') {
        expect(d.expectedReason).toEqual(expect.any(String));
        expect(d.origin).toBe('injected');
      } else {
        expect(d.rule).toBe(FINDING_RULES[d.kind as QualityFindingKind]);
      }
    }
    // Small rates: a few per kind, not a flood (about 0.5 % of ~2,000 eligible rows).
    for (const kind of DEFECT_KINDS) expect(manifest.counts.byKind[kind]).toBeLessThan(60);
  });

  it('the command side rejects exactly the manifest rejections, each with exactly its expected reason', () => {
    const expected = manifest.defects
      .filter((d) => d.class === 'rejection')
      .map((d) => rejectionKey({ file: d.file, line: d.line, reasons: [d.expectedReason!] }));
    expect(sorted(ingested.rejections.map(rejectionKey))).toEqual(sorted(expected));
  });

  it('both parse-level and decider-level rejections are exercised', () => {
    const byKind = (kind: string) => manifest.defects.filter((d) => d.kind === kind);
    expect(byKind('unparsable_number')[0]!.expectedReason).toMatch(/^price: ".*" is not an amount \(e\.g\. 58\.90\)$/);
    expect(byKind('unparsable_timestamp')[0]!.expectedReason).toMatch(/^shipping_limit_date: ".*" is not a timestamp/);
    expect(byKind('unknown_uf')[0]!.expectedReason).toBe('customer_state: the value (withheld: personal data) is not a Brazilian state (UF)');
    expect(byKind('short_row')[0]!.expectedReason).toBe('row has 6 values but the header has 7 columns: review_answer_timestamp missing');
    expect(byKind('negative_price')[0]!.expectedReason).toMatch(/^price must not be negative \(got -\d+ centavos\)$/);
    expect(byKind('negative_freight')[0]!.expectedReason).toMatch(/^freight_value must not be negative/);
    expect(byKind('negative_payment')[0]!.expectedReason).toMatch(/^payment_value must not be negative/);
    expect(byKind('review_score_out_of_range')[0]!.expectedReason).toMatch(/^review_score must be an integer 1\.\.5 \(got -?\d+\)$/);
    for (const kind of ['orphan_item', 'orphan_payment', 'orphan_review']) {
      expect(new Set(byKind(kind).map((d) => d.expectedReason))).toEqual(new Set(['unknown order']));
    }
  });

  it('the accepted rows hold exactly the manifest quality findings, no more, no less', () => {
    const expected = manifest.defects.filter((d) => d.class === 'quality_finding').map(findingKey);
    expect(sorted(findingsOf(ingested.accepted).map(findingKey))).toEqual(sorted(expected));
    // Both origins: injected here and already produced by the quirks.
    const origins = (kind: string) => new Set(manifest.defects.filter((d) => d.kind === kind).map((d) => d.origin));
    expect(origins('carrier_before_approval')).toEqual(new Set(['injected', 'quirk']));
    for (const kind of QUALITY_FINDING_KINDS) expect(origins(kind).has('injected')).toBe(true);
  });

  it('the manifest keys name the rows (natural ids at the listed line)', async () => {
    const lines = new Map<string, string[]>();
    for (const file of SOURCE_FILES) {
      for await (const r of new CsvSource(join(dir, file.fileName)).records()) lines.set(`${file.name}:${r.line}`, r.values);
    }
    const column = (file: SourceFileName, name: string) => SOURCE_FILES.find((f) => f.name === file)!.columns.indexOf(name as never);
    for (const d of manifest.defects) {
      const values = lines.get(`${d.file}:${d.line}`);
      expect(values).toBeDefined();
      for (const [k, v] of Object.entries(d.key)) expect([d.kind, k, values![column(d.file, k)]]).toEqual([d.kind, k, v]);
    }
  });

  it('counts per kind, per file and per class add up', () => {
    const { counts, defects } = manifest;
    expect(counts.total).toBe(defects.length);
    expect(counts.rejections + counts.qualityFindings).toBe(counts.total);
    expect(Object.values(counts.byKind).reduce((a, b) => a + b, 0)).toBe(counts.total);
    const byFile = Object.values(counts.byFile).reduce((a, f) => a + f.rejections + f.qualityFindings, 0);
    expect(byFile).toBe(counts.total);
    expect(counts.byFile['olist_order_items_dataset.csv']!.rejections).toBe(
      defects.filter((d: DefectRecord) => d.file === 'order_items' && d.class === 'rejection').length,
    );
  });

  it('rejected extra rows leave every order intact: no payment mismatch comes from a rejected item', () => {
    const injected = manifest.defects.filter((d) => d.kind === 'payments_not_matching_items');
    for (const d of injected) {
      if (d.origin === 'quirk') expect(d.detail).toMatch(/^payments 0\.00, /); // a cancelled order's not_defined payment
    }
    const negative = manifest.defects.find((d) => d.kind === 'negative_price')!;
    expect(parseCentavos(negative.expectedReason!.match(/got (-\d+)/)![1]!)).toBeLessThan(0);
  });
});

describe('defect determinism and switches', () => {
  it('same seed → identical files and manifest; defects off → the same bytes as without the option', async () => {
    const [a, b, plain, off] = [await tmp(), await tmp(), await tmp(), await tmp()];
    await generateDataset({ orders: 1000, seed: 9, outDir: a, defects: { rate: 0.01 } });
    await generateDataset({ orders: 1000, seed: 9, outDir: b, defects: { rate: 0.01 } });
    await generateDataset({ orders: 1000, seed: 9, outDir: plain });
    const summary = await generateDataset({ orders: 1000, seed: 9, outDir: off, defects: false });
    expect(summary.defects).toBeUndefined();
    await expect(access(join(off, MANIFEST_FILE_NAME))).rejects.toThrow();
    expect(await readFile(join(a, MANIFEST_FILE_NAME), 'utf8')).toBe(await readFile(join(b, MANIFEST_FILE_NAME), 'utf8'));
    for (const f of SOURCE_FILES) {
      const [ra, rb, rp, ro] = await Promise.all([a, b, plain, off].map((d) => readFile(join(d, f.fileName))));
      expect(ra!.equals(rb!)).toBe(true);
      expect(rp!.equals(ro!)).toBe(true);
      if (['customers', 'orders', 'order_items', 'payments', 'reviews'].includes(f.name)) expect(ra!.equals(rp!)).toBe(false);
      else expect(ra!.equals(rp!)).toBe(true);
    }
  });

  it('kinds restricts the injection; the quirks\' findings are still listed', async () => {
    const dir = await tmp();
    await generateDataset({ orders: 1000, seed: 3, outDir: dir, defects: { kinds: ['negative_price', 'unknown_seller'] } });
    const m = await readManifest(dir);
    const kinds = new Set(m.defects.map((d) => d.kind));
    expect(kinds.has('negative_price')).toBe(true);
    expect(kinds.has('unknown_seller')).toBe(true);
    expect(m.defects.filter((d) => d.class === 'rejection').every((d) => d.kind === 'negative_price')).toBe(true);
    expect(m.defects.filter((d) => d.origin === 'injected').every((d) => d.kind === 'negative_price' || d.kind === 'unknown_seller')).toBe(true);
    expect(kinds.has('carrier_before_approval')).toBe(true); // from the quirk
    const { rejections } = await ingest(dir);
    expect(rejections).toHaveLength(m.counts.rejections);
  });

  it('at least one of every kind from 1,000 orders on, whatever the seed, quirks on or off; exact without quirks too', async () => {
    for (const seed of [1, 2, 3, 'abc']) {
      for (const quirks of [true, false]) {
        const dir = await tmp();
        await generateDataset({ orders: 1000, seed, outDir: dir, quirks, defects: true });
        const m = await readManifest(dir);
        for (const kind of DEFECT_KINDS) expect([seed, quirks, kind, m.counts.byKind[kind] > 0]).toEqual([seed, quirks, kind, true]);
        if (seed === 1 && !quirks) {
          const { rejections, accepted } = await ingest(dir);
          const expected = m.defects.filter((d) => d.class === 'rejection').map((d) => rejectionKey({ file: d.file, line: d.line, reasons: [d.expectedReason!] }));
          expect(sorted(rejections.map(rejectionKey))).toEqual(sorted(expected));
          expect(sorted(findingsOf(accepted).map(findingKey))).toEqual(sorted(m.defects.filter((d) => d.class === 'quality_finding').map(findingKey)));
          expect(m.defects.every((d) => d.origin === 'injected')).toBe(true);
        }
      }
    }
  });

  it('rejects a rate outside 0..1 and an unknown kind', async () => {
    const dir = await tmp();
    await expect(generateDataset({ orders: 10, seed: 1, outDir: dir, defects: { rate: 2 } })).rejects.toThrow(/rate/);
    await expect(generateDataset({ orders: 10, seed: 1, outDir: dir, defects: { kinds: ['nope' as never] } })).rejects.toThrow(/kind/);
  });
});
