import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ORDER_STATUSES, PAYMENT_TYPES, SOURCE_FILES, type SourceFileName } from '@olist/ingestion';
import { BRAZILIAN_UFS } from '@olist/shared-kernel';
import {
  BRAZIL_BOUNDS, CATEGORIES, KAGGLE_GEOLOCATION_PER_ORDER, QUIRK_NAMES, generateDataset,
  type DatasetSummary, type RowOf, type TransformerFactory,
} from '@olist/generator';

type Rows = { [N in SourceFileName]: RowOf<N>[] };

const fileOf = (name: SourceFileName) => SOURCE_FILES.find((f) => f.name === name)!;

const readRaw = (dir: string, name: SourceFileName): Promise<Buffer> => readFile(join(dir, fileOf(name).fileName));

const parseAll = async (dir: string): Promise<Rows> => {
  const out: Partial<Record<SourceFileName, unknown[]>> = {};
  for (const f of SOURCE_FILES) {
    out[f.name] = parse(await readRaw(dir, f.name), { bom: true, columns: true, skip_empty_lines: false }) as unknown[];
  }
  return out as Rows;
};

const HEX32 = /^[0-9a-f]{32}$/;
const MONEY = /^\d+\.\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const countBy = <T>(items: ReadonlyArray<T>, key: (t: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};

const ORDERS = 5000;
let dir: string;
let summary: DatasetSummary;
let rows: Rows;
const tmpDirs: string[] = [];
const tmp = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'olist-gen-'));
  tmpDirs.push(d);
  return d;
};

beforeAll(async () => {
  dir = await tmp();
  summary = await generateDataset({ orders: ORDERS, seed: 42, outDir: dir });
  rows = await parseAll(dir);
});

afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('determinism', () => {
  it('writes byte-identical files for the same orders and seed, different ones for another seed', async () => {
    const [a, b, c] = [await tmp(), await tmp(), await tmp()];
    await generateDataset({ orders: 800, seed: 7, outDir: a });
    await generateDataset({ orders: 800, seed: 7, outDir: b });
    await generateDataset({ orders: 800, seed: 8, outDir: c });
    for (const f of SOURCE_FILES) {
      const [ra, rb, rc] = await Promise.all([readRaw(a, f.name), readRaw(b, f.name), readRaw(c, f.name)]);
      expect(ra.equals(rb)).toBe(true);
      if (f.name !== 'categories') expect(ra.equals(rc)).toBe(false);
    }
  });

  it('switching one quirk off leaves the ids of the others unchanged', async () => {
    const d = await tmp();
    await generateDataset({ orders: 300, seed: 42, outDir: d, quirks: { zeroInstallments: false } });
    const base = await generateDataset({ orders: 300, seed: 42, outDir: await tmp() });
    const ids = (raw: Buffer) => (parse(raw, { bom: true, columns: true }) as RowOf<'orders'>[]).map((r) => r.order_id);
    expect(ids(await readRaw(d, 'orders'))).toEqual(ids(await readRaw(base.outDir, 'orders')));
  });
});

describe('file layout', () => {
  it('writes the Kaggle files\' geolocation rows per order when asked, every used prefix still located', async () => {
    const out = await tmp();
    const summary = await generateDataset({ orders: 500, seed: 'geo', outDir: out, quirks: false, geolocationPerOrder: KAGGLE_GEOLOCATION_PER_ORDER });
    expect(summary.rows.geolocation).toBe(Math.round(500 * KAGGLE_GEOLOCATION_PER_ORDER));
    const rows = await parseAll(out);
    const located = new Set(rows.geolocation.map((r) => r.geolocation_zip_code_prefix));
    for (const c of rows.customers) expect(located.has(c.customer_zip_code_prefix!)).toBe(true);
  });

  it('writes the nine files with the exact Olist headers', async () => {
    for (const f of SOURCE_FILES) {
      const raw = await readRaw(dir, f.name);
      const [header] = parse(raw, { bom: true, to_line: 1 }) as string[][];
      expect(header).toEqual([...f.columns]);
    }
  });

  it('starts the translation file with a UTF-8 BOM, and only that one', async () => {
    for (const f of SOURCE_FILES) {
      const raw = await readRaw(dir, f.name);
      expect(raw.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(f.name === 'categories');
    }
  });

  it('uses CRLF where the real files do and LF elsewhere', async () => {
    const reviews = (await readRaw(dir, 'reviews')).toString('utf8');
    const orders = (await readRaw(dir, 'orders')).toString('utf8');
    expect(reviews.split('\n')[0]!.endsWith('\r')).toBe(true);
    expect(orders.includes('\r')).toBe(false);
  });

  it('quotes like the real exports: header quoted, ids quoted when they start with a digit', async () => {
    const lines = (await readRaw(dir, 'orders')).toString('utf8').split('\n');
    expect(lines[0]!.startsWith('"order_id","customer_id"')).toBe(true);
    const data = lines.slice(1);
    expect(data.some((l) => /^"\d[0-9a-f]{31}",/.test(l))).toBe(true);
    expect(data.some((l) => /^[a-f][0-9a-f]{31},/.test(l))).toBe(true);
    expect(data.some((l) => /^\d/.test(l) || /^"[a-f]/.test(l))).toBe(false);
  });

  it('parses every file with csv-parse and finds the row counts of the summary', () => {
    for (const f of SOURCE_FILES) {
      expect(rows[f.name].length).toBe(summary.rows[f.name]);
      expect(summary.files[f.name].bytes).toBeGreaterThan(0);
    }
  });

  it('writes the 71 real categories', () => {
    expect(rows.categories).toHaveLength(71);
    expect(new Set(rows.categories.map((c) => c.product_category_name)).size).toBe(71);
    expect(rows.categories).toContainEqual({ product_category_name: 'cama_mesa_banho', product_category_name_english: 'bed_bath_table' });
    expect(rows.categories[0]).toEqual({ product_category_name: CATEGORIES[0]!.pt, product_category_name_english: CATEGORIES[0]!.en });
  });
});

describe('volumes (5,000 orders)', () => {
  const perOrder = (name: SourceFileName) => rows[name].length / ORDERS;

  it('has realistic ratios per order', () => {
    expect(rows.orders).toHaveLength(ORDERS);
    expect(rows.customers).toHaveLength(ORDERS);
    expect(perOrder('order_items')).toBeGreaterThan(1.09);
    expect(perOrder('order_items')).toBeLessThan(1.18);
    expect(perOrder('payments')).toBeGreaterThan(1.025);
    expect(perOrder('payments')).toBeLessThan(1.07);
    expect(perOrder('reviews')).toBeGreaterThan(0.98);
    expect(perOrder('reviews')).toBeLessThan(1.02);
    expect(perOrder('products')).toBeCloseTo(0.331, 2);
    expect(perOrder('sellers')).toBeCloseTo(0.031, 2);
  });

  it('has ~3% of persons with several orders', () => {
    const perPerson = countBy(rows.customers, (c) => c.customer_unique_id);
    const repeat = [...perPerson.values()].filter((n) => n > 1).length / perPerson.size;
    expect(repeat).toBeGreaterThan(0.02);
    expect(repeat).toBeLessThan(0.045);
    expect(perPerson.size).toBe(summary.distinct.customerUniqueIds);
  });

  it('has ~10 geolocation rows per zip prefix used, inside Brazil', () => {
    const prefixes = new Set(rows.geolocation.map((g) => g.geolocation_zip_code_prefix.padStart(5, '0')));
    expect(prefixes.size).toBe(summary.distinct.zipPrefixes);
    const perPrefix = rows.geolocation.length / prefixes.size;
    expect(perPrefix).toBeGreaterThan(8);
    expect(perPrefix).toBeLessThan(12);
    const outside = rows.geolocation.filter((g) => {
      const lat = Number(g.geolocation_lat);
      const lng = Number(g.geolocation_lng);
      return !(lat >= BRAZIL_BOUNDS.minLat && lat <= BRAZIL_BOUNDS.maxLat && lng >= BRAZIL_BOUNDS.minLng && lng <= BRAZIL_BOUNDS.maxLng);
    });
    expect(outside).toEqual([]);
  });

  it('distributes statuses, payment types and scores like Olist', () => {
    const share = (m: Map<string, number>, k: string, total: number) => (m.get(k) ?? 0) / total;
    const statuses = countBy(rows.orders, (o) => o.order_status);
    expect(share(statuses, 'delivered', ORDERS)).toBeGreaterThan(0.95);
    expect(share(statuses, 'delivered', ORDERS)).toBeLessThan(0.985);
    for (const s of statuses.keys()) expect(ORDER_STATUSES).toContain(s);

    const types = countBy(rows.payments, (p) => p.payment_type);
    const n = rows.payments.length;
    expect(share(types, 'credit_card', n)).toBeGreaterThan(0.7);
    expect(share(types, 'credit_card', n)).toBeLessThan(0.78);
    expect(share(types, 'boleto', n)).toBeGreaterThan(0.16);
    expect(share(types, 'boleto', n)).toBeLessThan(0.22);
    expect(share(types, 'voucher', n)).toBeGreaterThan(0.035);
    expect(share(types, 'voucher', n)).toBeLessThan(0.08);
    for (const t of types.keys()) expect(PAYMENT_TYPES).toContain(t);

    const scores = countBy(rows.reviews, (r) => r.review_score);
    const top = [...scores.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('5');
    expect(share(scores, '1', rows.reviews.length)).toBeGreaterThan(0.08);
    expect(share(scores, '1', rows.reviews.length)).toBeLessThan(0.15);
  });

  it('makes SP the dominant state', () => {
    const states = countBy(rows.customers, (c) => c.customer_state);
    const sp = (states.get('SP') ?? 0) / ORDERS;
    expect(sp).toBeGreaterThan(0.37);
    expect(sp).toBeLessThan(0.47);
    for (const s of states.keys()) expect(BRAZILIAN_UFS).toContain(s);
  });
});

describe('referential integrity by construction', () => {
  it('links every item, payment and review to a generated order, and orders to customers', () => {
    const orderIds = new Set(rows.orders.map((o) => o.order_id));
    expect(orderIds.size).toBe(ORDERS);
    const customerIds = new Set(rows.customers.map((c) => c.customer_id));
    expect(customerIds.size).toBe(ORDERS);
    expect(rows.orders.filter((o) => !customerIds.has(o.customer_id))).toEqual([]);
    expect(rows.order_items.filter((i) => !orderIds.has(i.order_id))).toEqual([]);
    expect(rows.payments.filter((p) => !orderIds.has(p.order_id))).toEqual([]);
    expect(rows.reviews.filter((r) => !orderIds.has(r.order_id))).toEqual([]);
  });

  it('references existing products and sellers, and uses all of them', () => {
    const products = new Set(rows.products.map((p) => p.product_id));
    const sellers = new Set(rows.sellers.map((s) => s.seller_id));
    expect(products.size).toBe(rows.products.length);
    expect(sellers.size).toBe(rows.sellers.length);
    expect(rows.order_items.filter((i) => !products.has(i.product_id) || !sellers.has(i.seller_id))).toEqual([]);
    expect(new Set(rows.order_items.map((i) => i.product_id)).size).toBe(products.size);
    expect(new Set(rows.order_items.map((i) => i.seller_id)).size).toBe(sellers.size);
  });

  it('gives every customer and seller zip prefix geolocation rows, and products known categories', () => {
    const geo = new Set(rows.geolocation.map((g) => g.geolocation_zip_code_prefix.padStart(5, '0')));
    expect(rows.customers.filter((c) => !geo.has(c.customer_zip_code_prefix.padStart(5, '0')))).toEqual([]);
    expect(rows.sellers.filter((s) => !geo.has(s.seller_zip_code_prefix))).toEqual([]);
    const categories = new Set(rows.categories.map((c) => c.product_category_name));
    expect(rows.products.filter((p) => p.product_category_name !== '' && !categories.has(p.product_category_name))).toEqual([]);
  });

  it('numbers items 1..k and payments 1..k per order; payments add up to items + freight', () => {
    const items = new Map<string, RowOf<'order_items'>[]>();
    for (const i of rows.order_items) items.set(i.order_id, [...(items.get(i.order_id) ?? []), i]);
    const numbered = (seq: ReadonlyArray<string>) => seq.every((v, k) => Number(v) === k + 1);
    expect([...items.values()].filter((list) => !numbered(list.map((i) => i.order_item_id)))).toEqual([]);
    const payments = new Map<string, RowOf<'payments'>[]>();
    for (const p of rows.payments) payments.set(p.order_id, [...(payments.get(p.order_id) ?? []), p]);
    expect(payments.size).toBe(ORDERS);
    const cents = (s: string) => Math.round(Number(s) * 100);
    const wrong = [...payments].filter(([orderId, list]) => {
      if (!numbered(list.map((p) => p.payment_sequential))) return true;
      const its = items.get(orderId);
      if (!its || list.some((p) => p.payment_type === 'not_defined')) return false;
      const due = its.reduce((a, i) => a + cents(i.price) + cents(i.freight_value), 0);
      return list.reduce((a, p) => a + cents(p.payment_value), 0) !== due;
    });
    expect(wrong).toEqual([]);
  });
});

describe('values', () => {
  it('uses 32-char lowercase hex ids', () => {
    const ids = [
      ...rows.orders.flatMap((o) => [o.order_id, o.customer_id]),
      ...rows.customers.flatMap((c) => [c.customer_id, c.customer_unique_id]),
      ...rows.reviews.map((r) => r.review_id),
      ...rows.products.map((p) => p.product_id),
      ...rows.sellers.map((s) => s.seller_id),
    ];
    expect(ids.filter((id) => !HEX32.test(id))).toEqual([]);
  });

  it('writes money with two decimals: prices mostly 10–500, freight 0–100', () => {
    const badItems = rows.order_items.filter(
      (i) => !MONEY.test(i.price) || !MONEY.test(i.freight_value) || Number(i.price) <= 0 || Number(i.freight_value) > 100,
    );
    expect(badItems).toEqual([]);
    expect(rows.payments.filter((p) => !MONEY.test(p.payment_value))).toEqual([]);
    const typical = rows.order_items.filter((i) => Number(i.price) >= 10 && Number(i.price) <= 500).length;
    expect(typical / rows.order_items.length).toBeGreaterThan(0.8);
  });

  it('writes 5-digit zip prefixes except the deliberate lost-zero ones', () => {
    let lost = 0;
    const zips = [
      ...rows.customers.map((c) => c.customer_zip_code_prefix),
      ...rows.sellers.map((s) => s.seller_zip_code_prefix),
      ...rows.geolocation.map((g) => g.geolocation_zip_code_prefix),
    ];
    const odd = zips.filter((z) => !/^\d{5}$/.test(z));
    expect(odd.filter((z) => !/^[1-9]\d{3}$/.test(z))).toEqual([]); // a leading zero lost: 01037 → 1037
    lost = odd.length;
    expect(lost).toBe(summary.quirks.lostLeadingZero);
    expect(lost).toBeGreaterThan(0);
  });

  it('gives installments 1..24 to credit cards (0 as a quirk) and 1 to the other types', () => {
    const bad = rows.payments.filter((p) => {
      const n = Number(p.payment_installments);
      return p.payment_type === 'credit_card' ? !(Number.isInteger(n) && n >= 0 && n <= 24) : n !== 1;
    });
    expect(bad).toEqual([]);
  });

  it('keeps timestamps consistent with the status', () => {
    const start = Date.parse('2016-09-01T00:00:00Z');
    const end = Date.parse('2018-10-18T00:00:00Z');
    const t = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
    const problems = (o: RowOf<'orders'>): string[] => {
      const p: string[] = [];
      const [approved, carrier, delivered] = [o.order_approved_at, o.order_delivered_carrier_date, o.order_delivered_customer_date];
      if (!TIMESTAMP.test(o.order_purchase_timestamp) || !TIMESTAMP.test(o.order_estimated_delivery_date)) p.push('format');
      if ([approved, carrier, delivered].some((v) => v !== '' && !TIMESTAMP.test(v))) p.push('format');
      const purchase = t(o.order_purchase_timestamp);
      if (!(purchase >= start && purchase < end)) p.push('purchase range');
      if (!o.order_estimated_delivery_date.endsWith(' 00:00:00') || t(o.order_estimated_delivery_date) <= purchase) p.push('estimate');
      if (approved && t(approved) < purchase) p.push('approved < purchase');
      if (carrier && t(carrier) <= purchase) p.push('carrier <= purchase');
      if (delivered && !(t(delivered) > t(carrier))) p.push('delivered <= carrier');
      const reached = [approved !== '', carrier !== '', delivered !== ''];
      switch (o.order_status) {
        case 'created': if (reached.some(Boolean)) p.push('created with steps'); break;
        case 'approved': case 'invoiced': case 'processing': case 'unavailable':
          if (!reached[0] || reached[1] || reached[2]) p.push('steps'); break;
        case 'shipped': if (!reached[0] || !reached[1] || reached[2]) p.push('steps'); break;
        case 'delivered': if (!reached[0] || !reached[1]) p.push('steps'); break;
      }
      return p;
    };
    expect(rows.orders.map((o) => ({ o, p: problems(o) })).filter((x) => x.p.length > 0)).toEqual([]);
  });

  it('creates reviews the day after delivery and answers them later', () => {
    const delivered = new Map(rows.orders.map((o) => [o.order_id, o.order_delivered_customer_date]));
    let checked = 0;
    const bad = rows.reviews.filter(
      (r) => !r.review_creation_date.endsWith(' 00:00:00') || !(r.review_answer_timestamp > r.review_creation_date),
    );
    expect(bad).toEqual([]);
    for (const r of rows.reviews) {
      const d = delivered.get(r.order_id);
      if (!d) continue;
      const dayAfter = new Date(Date.parse(`${d.slice(0, 10)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      if (r.review_creation_date.startsWith(dayAfter)) checked++;
    }
    expect(checked / rows.reviews.length).toBeGreaterThan(0.9);
  });
});

describe('quirks (all on by default, visible in 5,000 orders)', () => {
  it('reports every quirk as applied at least once', () => {
    expect(QUIRK_NAMES.filter((q) => !(summary.quirks[q] > 0))).toEqual([]);
  });

  it('has orders that stopped before delivery, some without items', () => {
    const undelivered = rows.orders.filter((o) => o.order_status !== 'delivered');
    expect(undelivered.length).toBe(summary.quirks.undeliveredOrders);
    const withItems = new Set(rows.order_items.map((i) => i.order_id));
    const without = rows.orders.filter((o) => !withItems.has(o.order_id));
    expect(without.length).toBe(summary.quirks.ordersWithoutItems);
    expect(without.length).toBeGreaterThan(0);
    for (const o of without) expect(['unavailable', 'canceled', 'created']).toContain(o.order_status);
  });

  it('has products without category, lengths and photos (~2%)', () => {
    const bare = rows.products.filter((p) => p.product_category_name === '');
    expect(bare.length).toBe(summary.quirks.uncategorizedProducts);
    expect(bare.length / rows.products.length).toBeGreaterThan(0.008);
    expect(bare.length / rows.products.length).toBeLessThan(0.035);
    expect(bare.filter((p) => p.product_name_lenght + p.product_description_lenght + p.product_photos_qty !== '' || p.product_weight_g === '')).toEqual([]);
  });

  it('has credit-card payments with 0 installments', () => {
    const zero = rows.payments.filter((p) => p.payment_installments === '0');
    expect(zero.length).toBe(summary.quirks.zeroInstallments);
    expect(zero.length).toBeGreaterThan(0);
    for (const p of zero) expect(p.payment_type).toBe('credit_card');
  });

  it('has review ids shared by two orders, orders with several reviews and orders without', () => {
    const ordersPerReview = new Map<string, Set<string>>();
    for (const r of rows.reviews) ordersPerReview.set(r.review_id, (ordersPerReview.get(r.review_id) ?? new Set()).add(r.order_id));
    expect([...ordersPerReview.values()].filter((s) => s.size > 1).length).toBeGreaterThan(0);
    const reviewsPerOrder = countBy(rows.reviews, (r) => r.order_id);
    expect([...reviewsPerOrder.values()].filter((n) => n > 1).length).toBe(summary.quirks.multipleReviews);
    expect(ORDERS - reviewsPerOrder.size).toBe(summary.quirks.ordersWithoutReview);
    expect([...reviewsPerOrder.values()].filter((n) => n === 1).length / ORDERS).toBeGreaterThan(0.97);
  });

  it('has carrier dates before approval, late deliveries (~8%) and delivered orders without a date', () => {
    const before = rows.orders.filter(
      (o) => o.order_approved_at && o.order_delivered_carrier_date && o.order_delivered_carrier_date < o.order_approved_at,
    );
    expect(before.length).toBe(summary.quirks.carrierBeforeApproval);
    const delivered = rows.orders.filter((o) => o.order_delivered_customer_date !== '');
    const late = delivered.filter((o) => o.order_delivered_customer_date > o.order_estimated_delivery_date);
    expect(late.length / delivered.length).toBeGreaterThan(0.06);
    expect(late.length / delivered.length).toBeLessThan(0.1);
    const noDate = rows.orders.filter((o) => o.order_status === 'delivered' && o.order_delivered_customer_date === '');
    expect(noDate.length).toBe(summary.quirks.deliveredWithoutDate);
  });

  it('has comments with commas, double quotes and line breaks that survive CSV quoting', () => {
    const messages = rows.reviews.map((r) => r.review_comment_message);
    const empty = messages.filter((m) => m === '').length / messages.length;
    expect(empty).toBeGreaterThan(0.45);
    expect(empty).toBeLessThan(0.7);
    expect(messages.some((m) => m.includes(','))).toBe(true);
    expect(messages.filter((m) => m.includes('"')).length).toBeGreaterThan(0);
    expect(messages.filter((m) => m.includes('\r\n')).length).toBeGreaterThan(0);
  });
});

describe('options', () => {
  it('writes clean files when the quirks are off', async () => {
    const d = await tmp();
    const s = await generateDataset({ orders: 1000, seed: 3, outDir: d, quirks: false });
    const raw = (await readRaw(d, 'orders')).toString('utf8');
    expect(raw.includes('"')).toBe(false);
    expect(raw.includes('\r')).toBe(false);
    expect((await readRaw(d, 'categories'))[0]).not.toBe(0xef);
    const clean = await parseAll(d);
    expect(clean.orders.filter((o) => o.order_status !== 'delivered' || Object.values(o).some((v) => v === ''))).toEqual([]);
    expect(clean.orders.filter((o) => o.order_delivered_customer_date > o.order_estimated_delivery_date)).toEqual([]);
    expect(clean.geolocation.filter((g) => !/^\d{5}$/.test(g.geolocation_zip_code_prefix))).toEqual([]);
    expect(clean.products.filter((p) => p.product_category_name === '')).toEqual([]);
    expect(clean.payments.filter((p) => p.payment_installments === '0')).toEqual([]);
    expect(clean.reviews.every((r) => !r.review_comment_message.includes('\n'))).toBe(true);
    expect(countBy(clean.reviews, (r) => r.order_id).size).toBe(1000);
    expect(clean.reviews).toHaveLength(1000);
    expect(Object.values(s.quirks).every((n) => n === 0)).toBe(true);
  });

  it('runs extra row transformers after the quirks (the defect-injection hook)', async () => {
    const dropSecondPayments: TransformerFactory = {
      name: 'drop-second-payments',
      create: () => [
        { name: 'drop', file: 'payments', transform: (row) => (row.payment_sequential === '1' ? row : null) },
        { name: 'twice', file: 'sellers', transform: (row) => [row, { ...row, seller_city: 'duplicated' }] },
      ],
    };
    const d = await tmp();
    const s = await generateDataset({ orders: 1000, seed: 3, outDir: d, transformers: [dropSecondPayments] });
    const parsed = await parseAll(d);
    expect(parsed.payments).toHaveLength(1000);
    expect(s.rows.payments).toBe(1000);
    expect(parsed.sellers).toHaveLength(2 * s.distinct.sellers);
    expect(s.rows.sellers).toBe(2 * s.distinct.sellers);
  });

  it('handles tiny and empty datasets', async () => {
    const empty = await generateDataset({ orders: 0, seed: 1, outDir: await tmp() });
    expect(empty.rows).toMatchObject({ orders: 0, order_items: 0, customers: 0, categories: 71 });
    const one = await generateDataset({ orders: 1, seed: 1, outDir: await tmp() });
    expect(one.rows.orders).toBe(1);
    expect(one.rows.sellers).toBeGreaterThanOrEqual(5);
    await expect(generateDataset({ orders: -1, seed: 1, outDir: await tmp() })).rejects.toThrow(RangeError);
  });
});
