import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ORDER_STATUSES, SOURCE_FILES, type SourceFileName } from '@olist/ingestion';
import { formatCentavos, type Centavos } from '@olist/shared-kernel';
import { CoveringPicker, makeProducts, makeSellers, marketPrice, productRow, sellerRow } from './catalog.js';
import { CsvFileWriter } from './csv-writer.js';
import { commentLineBreak, fileFormat } from './formats.js';
import { Geography, formatZip, type Address } from './geography.js';
import { installmentsFor, makeTimeline, planOrders, planPayments, splitPayments, type PaymentType } from './orders.js';
import {
  DefectRecorder, MANIFEST_FILE_NAME, defectTransformers, resolveDefects,
  type DefectCounts, type DefectOptions,
} from './defects.js';
import { RowSink, createCounter, type AnyRowTransformer, type RowTransformer, type TransformerFactory } from './pipeline.js';
import {
  effectiveRates, resolveQuirks, zeroQuirkCounts,
  type QuirkCounts, type QuirkName, type QuirkRates, type QuirkToggles,
} from './quirks.js';
import { CATEGORIES } from './reference-data.js';
import { ReviewFactory } from './reviews.js';
import { Rng } from './rng.js';
import { DAY, HOUR, optionalTimestamp, formatTimestamp } from './time.js';
import { quirkTransformers } from './transformers.js';

/** Ratios per order, from the full-scale Olist counts (spec §4). */
export const PRODUCTS_PER_ORDER = 32_951 / 99_441;
export const SELLERS_PER_ORDER = 3_095 / 99_441;
export const MIN_SELLERS = 5;

export interface GenerateOptions {
  /** Number of orders (≥ 0). */
  readonly orders: number;
  readonly seed: number | string;
  /** Created if missing; the nine files are (over)written in it. */
  readonly outDir: string;
  /** `false`: no quirks at all; a record: switch individual quirks (all on by default). */
  readonly quirks?: boolean | Partial<Record<QuirkName, boolean>>;
  /** Override quirk rates (tests). */
  readonly quirkRates?: Partial<QuirkRates>;
  /** Extra row transformers, applied after the quirks (the hook for defect injection). */
  readonly transformers?: ReadonlyArray<TransformerFactory>;
  /**
   * Inject defects (rejections and quality findings, spec §6) and write their manifest `defects.json`
   * next to the files. `true`: every kind at the default rate. Off by default (then nothing changes).
   */
  readonly defects?: boolean | DefectOptions;
  /** Called every 1,000 orders and at the end. */
  readonly onProgress?: (ordersDone: number, ordersTotal: number) => void;
  /**
   * Geolocation rows per order, as in the Kaggle files (993,468 rows for 99,441 orders: {@link KAGGLE_GEOLOCATION_PER_ORDER});
   * default: ~10 per zip prefix used, far fewer.
   */
  readonly geolocationPerOrder?: number;
}

export const KAGGLE_GEOLOCATION_PER_ORDER = 993_468 / 99_441;

export interface FileSummary {
  readonly name: SourceFileName;
  readonly fileName: string;
  readonly path: string;
  /** Data rows written (header excluded; a multi-line comment is one row). */
  readonly rows: number;
  readonly bytes: number;
}

export interface DatasetSummary {
  readonly orders: number;
  readonly seed: number | string;
  readonly outDir: string;
  readonly files: Readonly<Record<SourceFileName, FileSummary>>;
  /** Shortcut: data rows per file. */
  readonly rows: Readonly<Record<SourceFileName, number>>;
  readonly distinct: {
    readonly customerUniqueIds: number;
    readonly zipPrefixes: number;
    readonly products: number;
    readonly sellers: number;
  };
  readonly quirkToggles: QuirkToggles;
  /** How many times each quirk was applied (rows, orders or comments; 1/0 for the format quirks). */
  readonly quirks: Readonly<QuirkCounts>;
  /** With `defects` on: where the manifest is and what it counts. */
  readonly defects?: DefectCounts & { readonly manifestPath: string };
}

type Sinks = { [N in SourceFileName]: RowSink<N> };

const openSinks = (
  outDir: string,
  toggles: QuirkToggles,
  transformers: ReadonlyArray<AnyRowTransformer>,
  recorder: DefectRecorder | null,
): Sinks => {
  const sinks: Partial<Record<SourceFileName, RowSink<SourceFileName>>> = {};
  for (const file of SOURCE_FILES) {
    const writer = CsvFileWriter.open(join(outDir, file.fileName), fileFormat(file.name, toggles), file.columns);
    const own = transformers.filter((t) => t.file === file.name) as ReadonlyArray<RowTransformer<SourceFileName>>;
    sinks[file.name] = new RowSink(file as never, writer, own, recorder?.observer(file.name));
  }
  return sinks as Sinks;
};

/**
 * Writes the nine Olist files for `orders` orders, deterministically for `seed` (same options → same
 * bytes). Rows are streamed; memory grows with the number of orders only through a few typed arrays
 * and the product/seller/person tables.
 */
export const generateDataset = async (options: GenerateOptions): Promise<DatasetSummary> => {
  const n = options.orders;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`orders must be a non-negative integer, got ${n}`);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });

  const toggles = resolveQuirks(options.quirks);
  const rates = effectiveRates(toggles, options.quirkRates);
  const counts = zeroQuirkCounts();
  const count = createCounter(counts);
  const root = Rng.of(options.seed);

  const defects = resolveDefects(options.defects);
  const recorder = defects ? new DefectRecorder() : null;
  const factories = [quirkTransformers, ...(options.transformers ?? [])];
  if (defects && recorder) factories.push(defectTransformers(defects, recorder)); // last: it sees the rows as written
  const transformers = factories.flatMap((f) =>
    f.create({ rng: root.fork(`transformer:${f.name}`), quirks: toggles, rates, count }),
  );
  const sinks = openSinks(outDir, toggles, transformers, recorder);
  const writers = Object.values(sinks).map((s) => s.writer);
  const drain = () => Promise.all(writers.map((w) => w.drain()));

  // Categories: the 71 real rows.
  for (const c of CATEGORIES) sinks.categories.push({ product_category_name: c.pt, product_category_name_english: c.en });

  // Sellers and products.
  const geo = new Geography();
  const sellerCount = n === 0 ? 0 : Math.max(MIN_SELLERS, Math.round(n * SELLERS_PER_ORDER));
  const productCount = n === 0 ? 0 : Math.max(sellerCount, Math.round(n * PRODUCTS_PER_ORDER));
  const sellers = makeSellers(sellerCount, root.fork('ids:sellers'), root.fork('sellers'), geo);
  for (const s of sellers) sinks.sellers.push(sellerRow(s));
  const products = makeProducts(productCount, sellerCount, root.fork('ids:products'), root.fork('products'), {
    uncategorizedRate: rates.uncategorizedProducts,
  });
  const productRowRng = root.fork('product-rows');
  for (const p of products) {
    if (p.category === undefined) count('uncategorizedProducts');
    sinks.products.push(productRow(p, productRowRng));
  }
  await drain();

  // Orders and everything hanging off them.
  const plan = planOrders(n, root.fork('plan'), {
    undeliveredOrders: toggles.undeliveredOrders,
    ordersWithoutItems: toggles.ordersWithoutItems,
  });
  const productPicker = new CoveringPicker(productCount, plan.productDraws, root.fork('product-picks'));
  const ids = { orders: root.fork('ids:orders'), customers: root.fork('ids:customers'), persons: root.fork('ids:persons') };
  const customerRng = root.fork('customers');
  const orderRng = root.fork('orders');
  const lateRng = root.fork('lateDeliveries');
  const itemRng = root.fork('order-items');
  const paymentRng = root.fork('payments');
  const notDefinedRng = root.fork('not-defined');
  const reviews = new ReviewFactory(root.fork('ids:reviews'), root.fork('reviews'), rates, commentLineBreak(toggles), counts);

  const personIds: (string | undefined)[] = new Array(plan.persons);
  const personAddress: (Address | undefined)[] = new Array(plan.persons);

  for (let i = 0; i < n; i++) {
    const status = ORDER_STATUSES[plan.status[i]!]!;
    const orderId = ids.orders.hex32();

    // Customer: a new customer_id per order; the person (customer_unique_id) may come back.
    const p = plan.person[i]!;
    let uniqueId = personIds[p];
    let address = personAddress[p];
    if (uniqueId === undefined || address === undefined) {
      uniqueId = ids.persons.hex32();
      address = geo.customerAddress(customerRng);
      personIds[p] = uniqueId;
      personAddress[p] = address;
    } else if (customerRng.chance(0.1)) {
      address = geo.customerAddress(customerRng); // moved
    }
    const customerId = ids.customers.hex32();
    sinks.customers.push({
      customer_id: customerId,
      customer_unique_id: uniqueId,
      customer_zip_code_prefix: formatZip(address.zip),
      customer_city: address.city.name,
      customer_state: address.city.state,
    });

    // Payment types first: boleto delays the approval.
    const paymentTypes: PaymentType[] = planPayments(paymentRng);
    const t = makeTimeline(
      { status, primaryPayment: paymentTypes[0]!, state: address.city.state, lateRate: rates.lateDeliveries },
      orderRng,
      lateRng,
    );
    if (t.late) count('lateDeliveries');
    if (status !== 'delivered') count('undeliveredOrders');
    sinks.orders.push({
      order_id: orderId,
      customer_id: customerId,
      order_status: status,
      order_purchase_timestamp: formatTimestamp(t.purchase),
      order_approved_at: optionalTimestamp(t.approved),
      order_delivered_carrier_date: optionalTimestamp(t.carrier),
      order_delivered_customer_date: optionalTimestamp(t.delivered),
      order_estimated_delivery_date: formatTimestamp(t.estimated),
    });

    // Items.
    const k = plan.items[i]!;
    if (k === 0) count('ordersWithoutItems');
    let total: Centavos = 0;
    const shippingLimit = formatTimestamp((t.approved ?? t.purchase) + (itemRng.chance(0.9) ? 6 : itemRng.int(2, 20)) * DAY + itemRng.int(0, 3) * HOUR);
    let productIndex = -1;
    for (let j = 1; j <= k; j++) {
      if (j === 1 || plan.sameProduct[i] === 0) productIndex = productPicker.pick();
      const product = products[productIndex]!;
      const seller = sellers[product.seller]!;
      const price = itemRng.chance(0.1) ? marketPrice(itemRng, (product.price / 100) * itemRng.float(0.85, 1.1)) : product.price;
      const sameState = seller.address.city.state === address.city.state;
      const freightReais = itemRng.chance(0.003)
        ? 0
        : Math.min(100, Math.max(0, 7 + product.weightG * 0.0016 + (sameState ? 0 : itemRng.float(3, 15)) + itemRng.normal(0, 2.5)));
      const freight = Math.round(freightReais * 100);
      total += price + freight;
      sinks.order_items.push({
        order_id: orderId,
        order_item_id: String(j),
        product_id: product.id,
        seller_id: seller.id,
        shipping_limit_date: shippingLimit,
        price: formatCentavos(price),
        freight_value: formatCentavos(freight),
      });
    }
    if (k === 0) total = marketPrice(itemRng, itemRng.logNormal(80, 0.9)) + Math.round(itemRng.float(8, 30) * 100);

    // Payments: the order's total, split over the payments; "not_defined" only on rare unapproved cancellations.
    let values = splitPayments(paymentTypes, total, paymentRng);
    if (status === 'canceled' && t.approved === null && notDefinedRng.chance(0.02)) {
      paymentTypes.splice(0, paymentTypes.length, 'not_defined');
      values = [0];
    }
    paymentTypes.forEach((type, s) => {
      sinks.payments.push({
        order_id: orderId,
        payment_sequential: String(s + 1),
        payment_type: type,
        payment_installments: String(installmentsFor(type, values[s]!, paymentRng)),
        payment_value: formatCentavos(values[s]!),
      });
    });

    // Reviews.
    for (const r of reviews.reviewsFor({ orderId, status, purchase: t.purchase, delivered: t.delivered, estimated: t.estimated, late: t.late })) {
      sinks.reviews.push(r);
    }

    if ((i & 255) === 255) await drain();
    if (options.onProgress && (i + 1) % 1000 === 0) options.onProgress(i + 1, n);
  }

  // Geolocation for every zip prefix used by customers and sellers.
  let g = 0;
  const geoTotal = options.geolocationPerOrder === undefined ? undefined : Math.round(options.geolocationPerOrder * n);
  for (const row of geo.geolocationRows(root.fork('geolocation'), geoTotal)) {
    sinks.geolocation.push(row);
    if ((++g & 4095) === 0) await drain();
  }

  if (toggles.mixedQuoting) count('mixedQuoting');
  if (toggles.byteOrderMark) count('byteOrderMark');
  if (toggles.realLineEndings) count('realLineEndings');

  for (const file of SOURCE_FILES) sinks[file.name].flush();
  let defectSummary: DatasetSummary['defects'];
  if (defects && recorder) {
    const manifest = recorder.finish({ seed: options.seed, orders: n, rate: defects.rate, kinds: defects.kinds });
    const manifestPath = join(outDir, MANIFEST_FILE_NAME);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    defectSummary = { ...manifest.counts, manifestPath };
  }

  const files = {} as Record<SourceFileName, FileSummary>;
  for (const file of SOURCE_FILES) {
    const writer = sinks[file.name].writer;
    const bytes = await writer.close();
    files[file.name] = { name: file.name, fileName: file.fileName, path: writer.path, rows: writer.rows, bytes };
  }
  options.onProgress?.(n, n);

  return {
    orders: n,
    seed: options.seed,
    outDir,
    files,
    rows: Object.fromEntries(SOURCE_FILES.map((f) => [f.name, files[f.name].rows])) as Record<SourceFileName, number>,
    distinct: {
      customerUniqueIds: plan.persons,
      zipPrefixes: geo.distinctPrefixes,
      products: productCount,
      sellers: sellerCount,
    },
    quirkToggles: toggles,
    quirks: { ...counts },
    ...(defectSummary ? { defects: defectSummary } : {}),
  };
};

