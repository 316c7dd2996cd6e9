/**
 * Replay throughput of the DuckDB star-schema projection.
 *
 *   npm run build && node dist/libs/analytics/bench/replay.js [--events 300000] [--batch 5000] [--runs 3] [--seed 1] [--threads N] [--set=duckdb_option=value] [--keep]
 *
 * Generates an Olist-shaped global log in loader order (reference data, geolocation, orders with their
 * lifecycle and shipments, items, payments, reviews) with the 1x dataset's proportions, replays it into a
 * fresh DuckDB file in batches, and prints events/s (wall clock, and the process's CPU time, which a
 * busy machine inflates less). The projection is called directly, as the ProjectorRunner does, so the
 * figure excludes the event store's read cost. With --runs N it replays N times into fresh files and
 * checks the content hashes agree.
 *
 * --personal-data: also replays the same log with people's personal fields sealed (docs/personal-data.md), each
 * batch opened as the store's read path does (one key-store query per batch, PGlite in memory), alternating
 * with plain runs, and prints both medians and their ratio.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint, RecordedEvent } from '@olist/event-store';
import { DuckDbDatabase } from '@olist/duckdb';
import { DataKeyStore, PersonalDataProtection } from '@olist/personal-data';
import { createPgliteClient } from '@olist/postgres';
import { StarSchemaProjection, contentHashes, tableCounts } from '../src/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TARGET_EVENTS = arg('events', 300_000);
const BATCH = arg('batch', 5_000);
const SEED = arg('seed', 1);
const THREADS = arg('threads', 0);
const RUNS = arg('runs', 1);
const KEEP = process.argv.includes('--keep');
const PERSONAL_DATA = process.argv.includes('--personal-data');

/** mulberry32: small deterministic PRNG. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const random = rng(SEED);
const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(random() * xs.length)]!;
const hex = (n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const STATES = ['SP', 'RJ', 'MG', 'RS', 'PR', 'SC', 'BA', 'DF', 'GO', 'ES', 'PE', 'CE'];
const CITIES = ['sao paulo', 'rio de janeiro', 'belo horizonte', 'curitiba', 'porto alegre', 'campinas', 'salvador', 'brasilia'];
const PAYMENT_TYPES = ['credit_card', 'credit_card', 'credit_card', 'boleto', 'voucher', 'debit_card'];

const generate = (): RecordedEvent[] => {
  // Per order, the 1x dataset has ~1.13 items, ~1.04 payments, ~1 review (+answer), 1 customer, and
  // ~10 geolocation rows; products ~0.33, sellers ~0.03 per order. ≈ 20 events per order.
  const orders = Math.max(1, Math.round(TARGET_EVENTS / 20));
  const events: RecordedEvent[] = [];
  const revisions = new Map<string, bigint>();
  const add = (streamId: string, type: string, data: Record<string, unknown>, personalDataKey?: string) => {
    const revision = revisions.get(streamId) ?? 0n;
    revisions.set(streamId, revision + 1n);
    const n = events.length + 1;
    events.push({
      id: `${n}`,
      type,
      streamId,
      revision,
      position: `p-${String(n).padStart(12, '0')}` as Checkpoint,
      data,
      metadata: personalDataKey ? { personalDataKey } : {},
      recordedAt: new Date(0),
    });
  };

  const categories = Array.from({ length: 71 }, (_, i) => `categoria_${i}`);
  const zipPrefixes = Array.from({ length: Math.max(50, Math.round(orders / 5)) }, () => String(Math.floor(random() * 99_999)).padStart(5, '0'));
  const sellers = Array.from({ length: Math.max(10, Math.round(orders * 0.031)) }, () => hex(32));
  const products = Array.from({ length: Math.max(10, Math.round(orders * 0.33)) }, () => hex(32));
  const customers = Array.from({ length: orders }, () => ({ id: hex(32), unique: hex(32), zip: pick(zipPrefixes) }));

  for (const c of categories) add(`category-${c}`, 'CategoryRegistered', { category: c, categoryNameEn: `${c}_en` });
  for (const s of sellers) add(`seller-${s}`, 'SellerRegistered', { sellerId: s, zipPrefix: pick(zipPrefixes), city: pick(CITIES), state: pick(STATES) });
  for (const p of products) {
    add(`product-${p}`, 'ProductListed', {
      productId: p,
      category: random() < 0.02 ? null : pick(categories),
      nameLength: 40,
      descriptionLength: Math.floor(random() * 3000),
      photosQty: 1 + Math.floor(random() * 5),
      weightG: Math.floor(random() * 30_000),
      lengthCm: 16,
      heightCm: 10,
      widthCm: 14,
    });
  }
  for (const c of customers) {
    add(`customer-${c.unique}`, 'CustomerRegistered', { customerUniqueId: c.unique, customerId: c.id, zipPrefix: c.zip, city: pick(CITIES), state: pick(STATES) }, c.id);
  }
  // Like the real file: rows come grouped by prefix (in prefix order), one city/state per prefix with
  // the odd variant spelling.
  const rowsPerPrefix = Math.max(1, Math.round((orders * 10) / zipPrefixes.length));
  for (const zip of [...new Set(zipPrefixes)].sort()) {
    const city = pick(CITIES);
    const state = pick(STATES);
    const lat = -30 + random() * 25;
    const lng = -60 + random() * 25;
    // A prefix's points come in one batch: one event.
    add(`zip-${zip}`, 'ZipCodeLocated', {
      zipPrefix: zip,
      locations: Array.from({ length: rowsPerPrefix }, () => ({
        lat: lat + random() / 100,
        lng: lng + random() / 100,
        city: random() < 0.1 ? `${city} (variant)` : city,
        state,
      })),
    });
  }
  const start = Date.UTC(2016, 8, 1);
  const span = Date.UTC(2018, 9, 1) - start;
  const placed: Array<{ id: string; at: number; customerId: string }> = [];
  for (const c of customers) {
    const id = hex(32);
    const at = start + Math.floor(random() * span);
    placed.push({ id, at, customerId: c.id });
    add(`order-${id}`, 'OrderPlaced', { orderId: id, customerId: c.id, purchasedAt: iso(at), estimatedDeliveryAt: iso(at + 20 * 86_400_000) });
    const r = random();
    if (r < 0.006) {
      add(`order-${id}`, 'OrderCancelled', { orderId: id });
      continue;
    }
    add(`order-${id}`, 'OrderApproved', { orderId: id, approvedAt: iso(at + 3_600_000) });
    add(`order-${id}`, 'OrderInvoiced', { orderId: id });
    if (r < 0.03) continue;
    add(`shipment-${id}`, 'ShipmentDispatched', { orderId: id, dispatchedAt: iso(at + 2 * 86_400_000) });
    const deliveredAt = at + Math.floor(random() * 30) * 86_400_000;
    const delayDays = Math.round((deliveredAt - (at + 20 * 86_400_000)) / 86_400_000);
    add(`shipment-${id}`, 'DeliveryCompleted', { orderId: id, deliveredAt: iso(deliveredAt), estimatedDeliveryAt: iso(at + 20 * 86_400_000), onTime: delayDays <= 0, delayDays });
  }
  for (const o of placed) {
    const n = random() < 0.1 ? 2 : 1;
    for (let k = 1; k <= n; k++) {
      add(`order-${o.id}`, 'OrderItemAdded', {
        orderId: o.id,
        orderItemId: k,
        productId: pick(products),
        sellerId: pick(sellers),
        shippingLimitAt: iso(o.at + 6 * 86_400_000),
        price: 500 + Math.floor(random() * 50_000),
        freight: Math.floor(random() * 5_000),
      });
    }
  }
  for (const o of placed) {
    add(`order-${o.id}`, 'PaymentReceived', { orderId: o.id, paymentSequential: 1, paymentType: pick(PAYMENT_TYPES), installments: 1 + Math.floor(random() * 10), value: 1000 + Math.floor(random() * 50_000) });
  }
  for (const o of placed) {
    const reviewId = hex(32);
    add(`review-${reviewId}`, 'ReviewSubmitted', { reviewId, orderId: o.id, score: 1 + Math.floor(random() * 5), commentTitle: null, commentMessage: random() < 0.4 ? 'bom' : null, createdAt: iso(o.at + 25 * 86_400_000) }, o.customerId);
    add(`review-${reviewId}`, 'ReviewAnswered', { reviewId, orderId: o.id, answeredAt: iso(o.at + 27 * 86_400_000) });
  }
  return events;
};

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly slowestMs: number;
  readonly counts: Record<string, number>;
  readonly hashes: Record<string, string>;
  readonly hashMs: number;
  readonly bytes: number;
  readonly file: string;
}

/** What the store's read path does to each batch before the projection sees it (opening sealed fields). */
type ReadPath = (batch: ReadonlyArray<RecordedEvent>) => Promise<ReadonlyArray<RecordedEvent>>;

const replay = async (events: ReadonlyArray<RecordedEvent>, keep: boolean, read?: ReadPath): Promise<Run> => {
  const dir = mkdtempSync(join(tmpdir(), 'olist-replay-'));
  const file = join(dir, 'replay.duckdb');
  const config: Record<string, string> = {};
  if (THREADS > 0) config['threads'] = String(THREADS);
  for (const setting of process.argv.filter((a) => a.startsWith('--set=')).map((a) => a.slice(6))) {
    const [key, value] = setting.split('=');
    config[key!] = value!;
  }
  const db = await DuckDbDatabase.open(file, { config });
  const projection = new StarSchemaProjection(db);
  await projection.init();

  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let slowestMs = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const slice = events.slice(i, i + BATCH);
    const b0 = performance.now();
    const batch = read ? await read(slice) : slice;
    await projection.apply(batch, batch.at(-1)!.position);
    slowestMs = Math.max(slowestMs, performance.now() - b0);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);

  const client = await db.connect();
  const counts = await tableCounts(client);
  const h0 = performance.now();
  const hashes = await contentHashes(client);
  const hashMs = performance.now() - h0;
  client.close();
  projection.close();
  db.close();
  const bytes = statSync(file).size;
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, slowestMs, counts, hashes, hashMs, bytes, file };
};

const main = async (): Promise<void> => {
  const t0 = performance.now();
  const events = generate();
  const byType = new Map<string, number>();
  for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  console.log(`generated ${events.length} events in ${(performance.now() - t0).toFixed(0)} ms:`, Object.fromEntries(byType));

  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = await replay(events, KEEP && r === RUNS - 1);
    runs.push(run);
    console.log(
      `run ${r + 1}: ${events.length} events in ${run.seconds.toFixed(2)} s, batches of ${BATCH}: ` +
        `${Math.round(events.length / run.seconds).toLocaleString('en')} events/s ` +
        `(cpu ${run.cpuSeconds.toFixed(2)} s, slowest batch ${run.slowestMs.toFixed(0)} ms)`,
    );
  }
  if (PERSONAL_DATA) await comparePersonalData(events, runs);
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const sameContent = runs.every((run) => JSON.stringify(run.hashes) === JSON.stringify(runs[0]!.hashes));
  console.log(`best: ${Math.round(events.length / best.seconds).toLocaleString('en')} events/s; identical content hashes across runs: ${sameContent}`);
  console.log('rows:', best.counts);
  console.log(`content hashes of all tables: ${best.hashMs.toFixed(0)} ms; file ${(best.bytes / 1e6).toFixed(1)} MB${KEEP ? ` at ${runs.at(-1)!.file}` : ''}`);
};

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The same log with personal fields sealed, opened batch by batch: plain and sealed runs alternate, medians compared. */
const comparePersonalData = async (events: ReadonlyArray<RecordedEvent>, plain: Run[]): Promise<void> => {
  const sql = await createPgliteClient();
  const protection = new PersonalDataProtection(await DataKeyStore.open(sql, randomBytes(32)));
  const s0 = performance.now();
  const sealed: RecordedEvent[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    const slice = events.slice(i, i + BATCH);
    // Sealed values are bound to their stream: one request per event, as appends to its stream.
    const byStream = await protection.sealAll(slice.map((e) => ({ streamId: e.streamId, expectedRevision: 'any', events: [e] })));
    byStream.forEach((r, k) => sealed.push({ ...slice[k]!, data: r.events[0]!.data }));
  }
  const personal = sealed.filter((e, i) => e.data !== events[i]!.data).length;
  console.log(`sealed the personal fields of ${personal} events in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  const opened: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    if (r > 0 || plain.length === 0) plain.push(await replay(events, false));
    const run = await replay(sealed, false, (batch) => protection.openAll(batch));
    opened.push(run);
    if (JSON.stringify(run.hashes) !== JSON.stringify(plain[0]!.hashes)) throw new Error('opened replay differs from the plain one');
  }
  const plainRate = events.length / median(plain.map((r) => r.seconds));
  const openedRate = events.length / median(opened.map((r) => r.seconds));
  console.log(
    `personal data: plain ${Math.round(plainRate).toLocaleString('en')} events/s, sealed and opened per batch ${Math.round(openedRate).toLocaleString('en')} events/s ` +
      `(medians of ${plain.length} and ${opened.length} runs): ${((openedRate / plainRate) * 100).toFixed(1)}% of plain; identical content hashes`,
  );
  await sql.close();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
