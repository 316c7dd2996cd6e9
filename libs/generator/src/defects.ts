import { SOURCE_FILES, type SourceFileName } from '@olist/ingestion';
import { formatCentavos, parseCentavos } from '@olist/shared-kernel';
import { writeShort, type AnyRowTransformer, type RowObserver, type TransformerFactory } from './pipeline.js';
import type { Rng } from './rng.js';
import type { RowOf } from './rows.js';
import { DAY, MINUTE, formatTimestamp, parseTimestamp } from './time.js';

/**
 * Defect injection (`generateDataset({ defects: { rate, kinds } })`, `npm run generate -- --defects`).
 *
 * Two classes of defect, as in spec §6:
 * - **rejections**: rows the command side must reject, each with exactly one reason whose text is
 *   predicted here (`expectedReason`). They are *extra* rows (a copy of a real row with one thing
 *   broken, or an orphan with a fresh order id) so that rejecting them changes nothing else: no order
 *   loses an item or a payment, no fact loses its customer.
 * - **quality findings**: valid rows with suspicious data. Some are injected (by changing a real row),
 *   some already come from the quirks (carrier before approval, 0 installments, a `not_defined` payment
 *   of 0 on a cancelled order with items). The manifest lists every finding present in the written
 *   files, whatever its origin, so a loader must report exactly the manifest: no more, no less.
 *
 * Everything is deterministic for the seed; with defects off nothing here runs (same bytes as before).
 */
export const REJECTION_KINDS = [
  /** An extra item whose price is not a plain decimal ("58,90", "R$ 58.90", "n/a"). */
  'unparsable_number',
  /** An extra item whose shipping_limit_date is not an Olist timestamp ("05/03/2018 14:02", "2018-02-30 ..."). */
  'unparsable_timestamp',
  /** An extra item with a negative price. */
  'negative_price',
  /** An extra item with a negative freight_value. */
  'negative_freight',
  /** An extra payment with a negative payment_value. */
  'negative_payment',
  /** An extra review (fresh review_id) with a score outside 1..5. */
  'review_score_out_of_range',
  /** An extra customer (fresh customer_id, referenced by no order) whose state is "XX". */
  'unknown_uf',
  /** An item of an order that exists in no file. */
  'orphan_item',
  /** A payment of an order that exists in no file. */
  'orphan_payment',
  /** A review (fresh review_id) of an order that exists in no file. */
  'orphan_review',
  /** An extra review (fresh review_id) written without its last value (review_answer_timestamp). */
  'short_row',
] as const;

export const QUALITY_FINDING_KINDS = [
  /** order_delivered_customer_date before order_purchase_timestamp. */
  'delivered_before_purchase',
  /** order_delivered_carrier_date before order_approved_at (also a quirk). */
  'carrier_before_approval',
  /** payment_installments 0 (also a quirk). */
  'zero_installments',
  /** An order with items whose payments do not add up to its items' price + freight. */
  'payments_not_matching_items',
  /** An order whose customer_id is in no customers row. */
  'unknown_customer',
  /** An item whose product_id is in no products row. */
  'unknown_product',
  /** An item whose seller_id is in no sellers row. */
  'unknown_seller',
] as const;

export const DEFECT_KINDS = [...REJECTION_KINDS, ...QUALITY_FINDING_KINDS] as const;

export type RejectionKind = (typeof REJECTION_KINDS)[number];
export type QualityFindingKind = (typeof QUALITY_FINDING_KINDS)[number];
export type DefectKind = RejectionKind | QualityFindingKind;
export type DefectClass = 'rejection' | 'quality_finding';

export const defectClass = (kind: DefectKind): DefectClass =>
  (REJECTION_KINDS as ReadonlyArray<string>).includes(kind) ? 'rejection' : 'quality_finding';

/** The rule each quality finding breaks (timestamps compared as written, to the second). */
export const FINDING_RULES: Readonly<Record<QualityFindingKind, string>> = {
  delivered_before_purchase: 'orders: order_delivered_customer_date < order_purchase_timestamp',
  carrier_before_approval: 'orders: order_delivered_carrier_date < order_approved_at',
  zero_installments: 'payments: payment_installments = 0',
  payments_not_matching_items: 'payments: for an order with items, sum(payment_value) <> sum(price + freight_value) of its items',
  unknown_customer: 'orders: customer_id not in customers',
  unknown_product: 'order_items: product_id not in products',
  unknown_seller: 'order_items: seller_id not in sellers',
};

/** Default share of eligible rows per kind. */
export const DEFAULT_DEFECT_RATE = 0.005;

export interface DefectOptions {
  /** Share of eligible rows that get each kind (default 0.005). At least one of each kind once ~50 rows are eligible. */
  readonly rate?: number;
  /** Kinds to inject (default: all). Findings are listed in the manifest whatever their origin. */
  readonly kinds?: ReadonlyArray<DefectKind>;
}

export interface DefectRecord {
  readonly kind: DefectKind;
  readonly class: DefectClass;
  readonly file: SourceFileName;
  readonly fileName: string;
  /** 1-based physical line the record starts on (header = line 1). */
  readonly line: number;
  /** Natural ids of the row. */
  readonly key: Readonly<Record<string, string>>;
  /** Rejections: the one reason the command side gives (`RowParser` or the decider). */
  readonly expectedReason?: string;
  /** Quality findings: the rule the row breaks. */
  readonly rule?: string;
  /** Quality findings: injected here, or already produced by a quirk of the generator. */
  readonly origin: 'injected' | 'quirk';
  readonly detail?: string;
}

export interface DefectCounts {
  readonly total: number;
  readonly rejections: number;
  readonly qualityFindings: number;
  readonly byKind: Readonly<Record<DefectKind, number>>;
  readonly byFile: Readonly<Record<string, { readonly rejections: number; readonly qualityFindings: number }>>;
}

export interface DefectManifest {
  readonly seed: number | string;
  readonly orders: number;
  readonly rate: number;
  readonly kinds: ReadonlyArray<DefectKind>;
  readonly counts: DefectCounts;
  /** In file order (SOURCE_FILES), then line, then kind. */
  readonly defects: ReadonlyArray<DefectRecord>;
}

export const MANIFEST_FILE_NAME = 'defects.json';

const REVIEW_COLUMNS = SOURCE_FILES.find((f) => f.name === 'reviews')!.columns.length;
const FILE_NAMES = Object.fromEntries(SOURCE_FILES.map((f) => [f.name, f.fileName])) as Record<SourceFileName, string>;
const FILE_ORDER = Object.fromEntries(SOURCE_FILES.map((f, i) => [f.name, i])) as Record<SourceFileName, number>;

const NONE: ReadonlySet<DefectKind> = new Set();

interface Tag {
  readonly kind: DefectKind;
  readonly key: Readonly<Record<string, string>>;
  readonly expectedReason?: string;
}

/**
 * Collects the manifest while the files are written: rows tagged by the injectors become rejections
 * (with their line), every other row is checked against the finding rules.
 */
export class DefectRecorder {
  private readonly tags = new Map<object, Tag[]>();
  private readonly records: DefectRecord[] = [];
  private readonly customers = new Set<string>();
  private readonly products = new Set<string>();
  private readonly sellers = new Set<string>();
  /** Accepted items per order not yet matched against its payments. */
  private readonly itemTotals = new Map<string, { sum: number; line: number }>();
  private readonly injectedMismatch = new Set<string>();
  private payments: { orderId: string; sum: number; line: number } | null = null;

  tag(row: object, tag: Tag): void {
    const list = this.tags.get(row);
    if (list) list.push(tag);
    else this.tags.set(row, [tag]);
  }

  /** Whether accepted items of this order were written (for the payments injector). */
  hasItems(orderId: string): boolean {
    return this.itemTotals.has(orderId);
  }

  markMismatchInjected(orderId: string): void {
    this.injectedMismatch.add(orderId);
  }

  observer<N extends SourceFileName>(file: N): RowObserver<N> {
    return (row, line) => this.observe(file, row, line);
  }

  private observe<N extends SourceFileName>(file: N, row: RowOf<N>, line: number): void {
    const tags = this.tags.get(row);
    let injected: ReadonlySet<DefectKind> = NONE;
    if (tags) {
      this.tags.delete(row);
      const rejections = tags.filter((t) => defectClass(t.kind) === 'rejection');
      if (rejections.length > 0) {
        for (const t of rejections) this.add(t.kind, file, line, t.key, 'injected', { expectedReason: t.expectedReason });
        return; // a rejected row is no fact: no finding on it
      }
      injected = new Set(tags.map((t) => t.kind));
    }
    const finding = (kind: QualityFindingKind, key: Record<string, string>, detail?: string): void =>
      this.add(kind, file, line, key, injected.has(kind) ? 'injected' : 'quirk', { rule: FINDING_RULES[kind], detail });
    const r = row as Record<string, string>;
    switch (file) {
      case 'customers':
        this.customers.add(r.customer_id!);
        break;
      case 'products':
        this.products.add(r.product_id!);
        break;
      case 'sellers':
        this.sellers.add(r.seller_id!);
        break;
      case 'orders': {
        const key = { order_id: r.order_id! };
        const purchase = r.order_purchase_timestamp!;
        const approved = r.order_approved_at!;
        const carrier = r.order_delivered_carrier_date!;
        const delivered = r.order_delivered_customer_date!;
        if (delivered !== '' && delivered < purchase) finding('delivered_before_purchase', key, `delivered ${delivered}, purchased ${purchase}`);
        if (approved !== '' && carrier !== '' && carrier < approved) finding('carrier_before_approval', key, `carrier ${carrier}, approved ${approved}`);
        if (!this.customers.has(r.customer_id!)) finding('unknown_customer', { ...key, customer_id: r.customer_id! });
        break;
      }
      case 'order_items': {
        const key = { order_id: r.order_id!, order_item_id: r.order_item_id! };
        if (!this.products.has(r.product_id!)) finding('unknown_product', { ...key, product_id: r.product_id! });
        if (!this.sellers.has(r.seller_id!)) finding('unknown_seller', { ...key, seller_id: r.seller_id! });
        const amount = (parseCentavos(r.price!) ?? 0) + (parseCentavos(r.freight_value!) ?? 0);
        const total = this.itemTotals.get(r.order_id!);
        if (total) total.sum += amount;
        else this.itemTotals.set(r.order_id!, { sum: amount, line });
        break;
      }
      case 'payments': {
        const orderId = r.order_id!;
        if (r.payment_installments!.trim() === '0') {
          finding('zero_installments', { order_id: orderId, payment_sequential: r.payment_sequential! });
        }
        if (this.payments?.orderId !== orderId) {
          this.closePayments();
          this.payments = { orderId, sum: 0, line };
        }
        this.payments!.sum += parseCentavos(r.payment_value!) ?? 0;
        break;
      }
      default:
        break;
    }
  }

  /** Ends the payments of the current order: compares them with its items. */
  private closePayments(): void {
    const p = this.payments;
    if (p === null) return;
    this.payments = null;
    const items = this.itemTotals.get(p.orderId);
    if (items === undefined) return;
    this.itemTotals.delete(p.orderId);
    if (items.sum !== p.sum) {
      this.add('payments_not_matching_items', 'payments', p.line, { order_id: p.orderId },
        this.injectedMismatch.has(p.orderId) ? 'injected' : 'quirk', {
          rule: FINDING_RULES.payments_not_matching_items,
          detail: `payments ${formatCentavos(p.sum)}, items ${formatCentavos(items.sum)}`,
        });
    }
  }

  private add(
    kind: DefectKind, file: SourceFileName, line: number, key: Readonly<Record<string, string>>, origin: 'injected' | 'quirk',
    extra: { expectedReason?: string | undefined; rule?: string | undefined; detail?: string | undefined },
  ): void {
    this.records.push({
      kind, class: defectClass(kind), file, fileName: FILE_NAMES[file], line, key,
      ...(extra.expectedReason !== undefined ? { expectedReason: extra.expectedReason } : {}),
      ...(extra.rule !== undefined ? { rule: extra.rule } : {}),
      origin,
      ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
    });
  }

  /** Call once every row is written. */
  finish(meta: { seed: number | string; orders: number; rate: number; kinds: ReadonlyArray<DefectKind> }): DefectManifest {
    this.closePayments();
    // Orders with items and no payment at all (the generator writes none; kept for completeness).
    for (const [orderId, items] of this.itemTotals) {
      this.add('payments_not_matching_items', 'order_items', items.line, { order_id: orderId }, 'quirk', {
        rule: FINDING_RULES.payments_not_matching_items,
        detail: `payments 0.00, items ${formatCentavos(items.sum)}`,
      });
    }
    this.itemTotals.clear();
    const defects = [...this.records].sort(
      (a, b) => FILE_ORDER[a.file] - FILE_ORDER[b.file] || a.line - b.line || DEFECT_KINDS.indexOf(a.kind) - DEFECT_KINDS.indexOf(b.kind),
    );
    const byKind = Object.fromEntries(DEFECT_KINDS.map((k) => [k, 0])) as Record<DefectKind, number>;
    const byFile: Record<string, { rejections: number; qualityFindings: number }> = {};
    for (const f of SOURCE_FILES) byFile[f.fileName] = { rejections: 0, qualityFindings: 0 };
    let rejections = 0;
    for (const d of defects) {
      byKind[d.kind]++;
      if (d.class === 'rejection') {
        rejections++;
        byFile[d.fileName]!.rejections++;
      } else {
        byFile[d.fileName]!.qualityFindings++;
      }
    }
    return {
      ...meta,
      counts: { total: defects.length, rejections, qualityFindings: defects.length - rejections, byKind, byFile },
      defects,
    };
  }
}

/**
 * Picks eligible rows: each with probability `rate`, and (so that every kind shows up in a dataset of
 * a useful size) the `force`-th eligible row when none was picked before it (force < 50).
 */
class Picker {
  private seen = 0;
  private hits = 0;
  private readonly force: number;

  constructor(private readonly rng: Rng, private readonly rate: number, readonly enabled: boolean) {
    this.force = rng.int(0, 49);
  }

  pick(): boolean {
    if (!this.enabled) return false;
    const i = this.seen++;
    const hit = this.rng.chance(this.rate) || (this.hits === 0 && i >= this.force);
    if (hit) this.hits++;
    return hit;
  }
}

const notNegative = (column: string, text: string): string =>
  `${column} must not be negative (got ${parseCentavos(text)} centavos)`;
const notAnAmount = (column: string, text: string): string => `${column}: "${text}" is not an amount (e.g. 58.90)`;
const notATimestamp = (column: string, text: string): string => `${column}: "${text}" is not a timestamp (YYYY-MM-DD HH:MM:SS)`;

/** A negative amount from a real one (never "-0.00", which is not negative). */
const negated = (text: string, rng: Rng): string => {
  const c = parseCentavos(text) ?? 0;
  return formatCentavos(-(c > 0 ? c : rng.int(100, 9_999)));
};

/**
 * Groups consecutive rows of one order (items, payments) and appends extra rows after the order's last
 * row, numbered after its highest id (so an extra row never collides with a real one).
 */
class OrderGroup<N extends 'order_items' | 'payments'> {
  private orderId: string | null = null;
  private maxId = 0;
  private pending: Array<(id: number) => RowOf<N>> = [];

  constructor(private readonly idColumn: 'order_item_id' | 'payment_sequential') {}

  /** Registers the row; returns the extra rows of the previous order, to write before it. */
  enter(row: RowOf<N>): RowOf<N>[] {
    const r = row as Record<string, string>;
    const out = r.order_id === this.orderId ? [] : this.flush();
    this.orderId = r.order_id!;
    this.maxId = Math.max(this.maxId, Number(r[this.idColumn]) || 0);
    return out;
  }

  isFirst(row: RowOf<N>): boolean {
    return (row as Record<string, string>).order_id !== this.orderId;
  }

  later(build: (id: number) => RowOf<N>): void {
    this.pending.push(build);
  }

  flush(): RowOf<N>[] {
    const out = this.pending.map((build) => build(++this.maxId));
    this.pending = [];
    this.maxId = 0;
    return out;
  }
}

export const defectTransformers = (options: Required<DefectOptions>, recorder: DefectRecorder): TransformerFactory => ({
  name: 'defects',
  create({ rng }) {
    const on = new Set<DefectKind>(options.kinds);
    const pickers = Object.fromEntries(
      DEFECT_KINDS.map((k) => [k, new Picker(rng.fork(`pick:${k}`), options.rate, on.has(k))]),
    ) as Record<DefectKind, Picker>;
    const values = rng.fork('values');
    const ids = rng.fork('ids');

    const customers: AnyRowTransformer = {
      name: 'defects', file: 'customers',
      transform(row) {
        if (!pickers.unknown_uf.pick()) return row;
        const bad = { ...row, customer_id: ids.hex32(), customer_state: 'XX' };
        recorder.tag(bad, { kind: 'unknown_uf', key: { customer_id: bad.customer_id }, expectedReason: 'customer_state: the value (withheld: personal data) is not a Brazilian state (UF)' });
        return [row, bad];
      },
    };

    const orders: AnyRowTransformer = {
      name: 'defects', file: 'orders',
      transform(input) {
        let row = input;
        const kinds: QualityFindingKind[] = [];
        if (pickers.unknown_customer.pick()) {
          row = { ...row, customer_id: ids.hex32() };
          kinds.push('unknown_customer');
        }
        if (row.order_delivered_customer_date !== '' && pickers.delivered_before_purchase.pick()) {
          const purchase = parseTimestamp(row.order_purchase_timestamp);
          const delivered = purchase - values.int(1, 20) * DAY - values.int(0, 23 * 60) * MINUTE;
          row = { ...row, order_delivered_customer_date: formatTimestamp(delivered) };
          kinds.push('delivered_before_purchase');
        }
        if (
          row.order_approved_at !== '' && row.order_delivered_carrier_date !== '' &&
          row.order_delivered_carrier_date >= row.order_approved_at && pickers.carrier_before_approval.pick()
        ) {
          const carrier = parseTimestamp(row.order_delivered_carrier_date);
          row = { ...row, order_approved_at: formatTimestamp(carrier + values.int(1, 12 * 60) * MINUTE) };
          kinds.push('carrier_before_approval');
        }
        for (const kind of kinds) recorder.tag(row, { kind, key: { order_id: row.order_id } });
        return row;
      },
    };

    const itemGroup = new OrderGroup<'order_items'>('order_item_id');
    const items: AnyRowTransformer = {
      name: 'defects', file: 'order_items',
      transform(input) {
        const out = itemGroup.enter(input);
        let row = input;
        const findings: QualityFindingKind[] = [];
        if (pickers.unknown_product.pick()) {
          row = { ...row, product_id: ids.hex32() };
          findings.push('unknown_product');
        }
        if (pickers.unknown_seller.pick()) {
          row = { ...row, seller_id: ids.hex32() };
          findings.push('unknown_seller');
        }
        for (const kind of findings) recorder.tag(row, { kind, key: {} });
        const base = row;
        const extra = (kind: RejectionKind, change: (r: RowOf<'order_items'>) => [RowOf<'order_items'>, string]): void =>
          itemGroup.later((id) => {
            const [bad, reason] = change({ ...base, order_item_id: String(id) });
            recorder.tag(bad, { kind, key: { order_id: bad.order_id, order_item_id: bad.order_item_id }, expectedReason: reason });
            return bad;
          });
        if (pickers.unparsable_number.pick()) {
          const variant = values.int(0, 2);
          const price = variant === 0 ? base.price.replace('.', ',') : variant === 1 ? `R$ ${base.price}` : 'n/a';
          extra('unparsable_number', (r) => [{ ...r, price }, notAnAmount('price', price)]);
        }
        if (pickers.unparsable_timestamp.pick()) {
          const [date = '', time = ''] = base.shipping_limit_date.split(' ');
          const [y, m, d] = date.split('-');
          const text = values.chance(0.5) ? `${d}/${m}/${y} ${time.slice(0, 5)}` : `${y}-02-30 ${time}`;
          extra('unparsable_timestamp', (r) => [{ ...r, shipping_limit_date: text }, notATimestamp('shipping_limit_date', text)]);
        }
        if (pickers.negative_price.pick()) {
          const price = negated(base.price, values);
          extra('negative_price', (r) => [{ ...r, price }, notNegative('price', price)]);
        }
        if (pickers.negative_freight.pick()) {
          const freight = negated(base.freight_value, values);
          extra('negative_freight', (r) => [{ ...r, freight_value: freight }, notNegative('freight_value', freight)]);
        }
        out.push(row);
        if (pickers.orphan_item.pick()) {
          const orphan = { ...row, order_id: ids.hex32(), order_item_id: '1' };
          recorder.tag(orphan, { kind: 'orphan_item', key: { order_id: orphan.order_id, order_item_id: '1' }, expectedReason: 'unknown order' });
          out.push(orphan);
        }
        return out;
      },
      flush: () => itemGroup.flush(),
    };

    const paymentGroup = new OrderGroup<'payments'>('payment_sequential');
    const payments: AnyRowTransformer = {
      name: 'defects', file: 'payments',
      transform(input) {
        const first = paymentGroup.isFirst(input);
        const out = paymentGroup.enter(input);
        let row = input;
        const zero = row.payment_type === 'credit_card' && row.payment_installments !== '0' && pickers.zero_installments.pick();
        if (zero) row = { ...row, payment_installments: '0' };
        if (first && row.payment_type !== 'not_defined' && recorder.hasItems(row.order_id) && pickers.payments_not_matching_items.pick()) {
          const value = (parseCentavos(row.payment_value) ?? 0) + values.int(1, 50) * 100 + values.int(0, 99);
          row = { ...row, payment_value: formatCentavos(value) };
          recorder.markMismatchInjected(row.order_id);
        }
        if (zero) recorder.tag(row, { kind: 'zero_installments', key: {} });
        if (pickers.negative_payment.pick()) {
          const value = negated(row.payment_value, values);
          const base = row;
          paymentGroup.later((id) => {
            const bad = { ...base, payment_sequential: String(id), payment_value: value };
            recorder.tag(bad, { kind: 'negative_payment', key: { order_id: bad.order_id, payment_sequential: bad.payment_sequential }, expectedReason: notNegative('payment_value', value) });
            return bad;
          });
        }
        out.push(row);
        if (pickers.orphan_payment.pick()) {
          const orphan = { ...row, order_id: ids.hex32(), payment_sequential: '1' };
          recorder.tag(orphan, { kind: 'orphan_payment', key: { order_id: orphan.order_id, payment_sequential: '1' }, expectedReason: 'unknown order' });
          out.push(orphan);
        }
        return out;
      },
      flush: () => paymentGroup.flush(),
    };

    const reviews: AnyRowTransformer = {
      name: 'defects', file: 'reviews',
      transform(row) {
        const out: RowOf<'reviews'>[] = [row];
        const add = (kind: RejectionKind, bad: RowOf<'reviews'>, reason: string): void => {
          recorder.tag(bad, { kind, key: { review_id: bad.review_id, order_id: bad.order_id }, expectedReason: reason });
          out.push(bad);
        };
        if (pickers.review_score_out_of_range.pick()) {
          const score = ['0', '6', '7', '10', '-1'][values.int(0, 4)]!;
          add('review_score_out_of_range', { ...row, review_id: ids.hex32(), review_score: score }, `review_score must be an integer 1..5 (got ${score})`);
        }
        if (pickers.orphan_review.pick()) {
          add('orphan_review', { ...row, review_id: ids.hex32(), order_id: ids.hex32() }, 'unknown order');
        }
        if (pickers.short_row.pick()) {
          const columns = REVIEW_COLUMNS;
          add('short_row', writeShort({ ...row, review_id: ids.hex32() }, columns - 1),
            `row has ${columns - 1} values but the header has ${columns} columns: review_answer_timestamp missing`);
        }
        return out;
      },
    };

    return [customers, orders, items, payments, reviews];
  },
});

/** Resolves `defects` options: `true`/`{}` → all kinds at the default rate. */
export const resolveDefects = (defects: boolean | DefectOptions | undefined): Required<DefectOptions> | null => {
  if (defects === undefined || defects === false) return null;
  const o = defects === true ? {} : defects;
  const rate = o.rate ?? DEFAULT_DEFECT_RATE;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`defect rate must be within 0..1, got ${rate}`);
  const kinds = o.kinds ?? DEFECT_KINDS;
  for (const k of kinds) if (!(DEFECT_KINDS as ReadonlyArray<string>).includes(k)) throw new RangeError(`unknown defect kind ${k}`);
  return { rate, kinds: [...kinds] };
};
