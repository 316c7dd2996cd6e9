import { ORDER_STATUSES, PAYMENT_TYPES } from '@olist/ingestion';
import type { Centavos, Uf } from '@olist/shared-kernel';
import { ESTIMATE_BASE_DAYS, HOUR_WEIGHTS, MONTH_WEIGHTS, PURCHASE_END, PURCHASE_START } from './reference-data.js';
import { Weighted, type Rng } from './rng.js';
import { DAY, HOUR, MINUTE, startOfDay } from './time.js';

export type PaymentType = (typeof PAYMENT_TYPES)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Share of orders per status (percent, approximately Olist's). */
export const STATUS_WEIGHTS: Readonly<Record<OrderStatus, number>> = {
  delivered: 96.5, shipped: 1.11, canceled: 0.63, unavailable: 0.61, invoiced: 0.32, processing: 0.3,
  created: 0.005, approved: 0.002,
};

const STATUS_TABLE = new Weighted(ORDER_STATUSES.map((s, i) => [i, STATUS_WEIGHTS[s]] as const));
const DELIVERED = ORDER_STATUSES.indexOf('delivered');

/** Items per order (orders with items): 88% one item, a long tail up to 21; mean ≈ 1.14. */
const ITEM_COUNTS = new Weighted<number>([
  [1, 88863], [2, 7516], [3, 1322], [4, 505], [5, 204], [6, 198], [7, 22], [8, 8], [9, 3], [10, 8],
  [11, 4], [12, 5], [13, 1], [14, 2], [15, 2], [20, 2], [21, 1],
]);

/** Orders per repeat customer (customer_unique_id with 2+ orders). */
const REPEAT_ORDERS = new Weighted<number>([[2, 91.6], [3, 6.8], [4, 1], [5, 0.3], [6, 0.2], [7, 0.1]]);
export const REPEAT_CUSTOMER_RATE = 0.032;

/** Multi-item orders repeat the same product (quantity > 1) this often. */
const SAME_PRODUCT_RATE = 0.55;

export interface OrderPlan {
  readonly count: number;
  /** Index into ORDER_STATUSES. */
  readonly status: Uint8Array;
  readonly items: Uint8Array;
  readonly sameProduct: Uint8Array;
  /** Person (customer_unique_id) of each order. */
  readonly person: Int32Array;
  readonly persons: number;
  /** Total product picks (a multi-item order of one product is one pick). */
  readonly productDraws: number;
}

export interface PlanOptions {
  readonly undeliveredOrders: boolean;
  readonly ordersWithoutItems: boolean;
}

/** First pass: statuses, item counts and the person behind each order (so pickers know their totals). */
export const planOrders = (count: number, rng: Rng, options: PlanOptions): OrderPlan => {
  const statusRng = rng.fork('status');
  const itemRng = rng.fork('items');
  const noItemRng = rng.fork('ordersWithoutItems');
  const personRng = rng.fork('persons');
  const status = new Uint8Array(count);
  const items = new Uint8Array(count);
  const sameProduct = new Uint8Array(count);
  let productDraws = 0;
  for (let i = 0; i < count; i++) {
    const s = options.undeliveredOrders ? STATUS_TABLE.sample(statusRng) : DELIVERED;
    status[i] = s;
    let k = ITEM_COUNTS.sample(itemRng);
    const same = k > 1 && itemRng.chance(SAME_PRODUCT_RATE);
    if (options.ordersWithoutItems) {
      const name = ORDER_STATUSES[s];
      const none = name === 'created' ? 1 : name === 'unavailable' ? 0.98 : name === 'canceled' ? 0.25 : 0;
      if (none > 0 && noItemRng.next() < none) k = 0;
    }
    items[i] = k;
    sameProduct[i] = same ? 1 : 0;
    productDraws += k === 0 ? 0 : same ? 1 : k;
  }
  const person = new Int32Array(count);
  let persons = 0;
  for (let filled = 0; filled < count; persons++) {
    const k = personRng.chance(REPEAT_CUSTOMER_RATE) ? REPEAT_ORDERS.sample(personRng) : 1;
    for (let j = 0; j < k && filled < count; j++) person[filled++] = persons;
  }
  personRng.shuffle(person);
  return { count, status, items, sameProduct, person, persons, productDraws };
};

// ---------------------------------------------------------------------------------------------------
// Timestamps

const MONTHS = new Weighted(MONTH_WEIGHTS.map(([y, m, w]) => [[y, m] as const, w] as const));
const HOURS = new Weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as const));

/** A purchase instant: month by volume (growth over time), day uniform, hour by time-of-day volume. */
export const purchaseInstant = (rng: Rng): number => {
  const [year, month] = MONTHS.sample(rng);
  const first = Date.UTC(year, month - 1, 1);
  const days = Math.round((Date.UTC(year, month, 1) - first) / DAY);
  const lo = Math.max(first, startOfDay(PURCHASE_START));
  const hi = Math.min(first + (days - 1) * DAY, startOfDay(PURCHASE_END));
  const day = lo + rng.int(0, Math.max(0, Math.round((hi - lo) / DAY))) * DAY;
  return day + HOURS.sample(rng) * HOUR + rng.int(0, 59) * MINUTE + rng.int(0, 59) * 1000;
};

export interface Timeline {
  readonly purchase: number;
  readonly approved: number | null;
  readonly carrier: number | null;
  readonly delivered: number | null;
  /** Midnight of the estimated delivery day. */
  readonly estimated: number;
  /** Delivered after the estimated date. */
  readonly late: boolean;
}

/** Which steps an order in this status reached. Canceled orders stopped anywhere. */
const reachedSteps = (status: OrderStatus, rng: Rng): [approved: boolean, carrier: boolean, delivered: boolean] => {
  switch (status) {
    case 'created': return [false, false, false];
    case 'approved': case 'invoiced': case 'processing': case 'unavailable': return [true, false, false];
    case 'shipped': return [true, true, false];
    case 'delivered': return [true, true, true];
    case 'canceled': {
      const a = rng.chance(0.77);
      const c = a && rng.chance(0.12);
      return [a, c, c && rng.chance(0.1)];
    }
    default: throw new Error(`unknown order status ${String(status)}`);
  }
};

export interface TimelineInput {
  readonly status: OrderStatus;
  readonly primaryPayment: PaymentType;
  readonly state: Uf;
  /** Probability that a delivered order arrives after its estimate. */
  readonly lateRate: number;
}

/**
 * purchase → approved (minutes for cards, days for boleto) → handed to the carrier (days) → delivered;
 * estimated date ~3 weeks after purchase depending on the state. On-time deliveries land before the
 * estimate; late ones (lateRate) after it. Steps the status never reached stay null.
 */
export const makeTimeline = (input: TimelineInput, rng: Rng, lateRng: Rng): Timeline => {
  const purchase = purchaseInstant(rng);
  const [hasApproval, hasCarrier, hasDelivery] = reachedSteps(input.status, rng);
  const estimateDays = Math.min(60, Math.max(10, Math.round(ESTIMATE_BASE_DAYS[input.state] + 2 + rng.normal(0, 5))));
  const estimated = startOfDay(purchase) + estimateDays * DAY;

  const approvalDelay = input.primaryPayment === 'boleto'
    ? Math.min(5 * DAY, 12 * HOUR + rng.exponential(1.2 * DAY))
    : rng.chance(0.85) ? MINUTE + rng.exponential(15 * MINUTE) : rng.float(HOUR, 48 * HOUR);
  const approved = hasApproval ? purchase + Math.round(approvalDelay / 1000) * 1000 : null;

  // Decided up front: an on-time order is handed to the carrier early enough to arrive before the estimate.
  const late = hasDelivery && lateRng.chance(input.lateRate);
  const carrierBase = approved ?? purchase;
  let carrier: number | null = null;
  if (hasCarrier) {
    carrier = carrierBase + Math.min(30 * DAY, 6 * HOUR + rng.exponential(2.5 * DAY));
    if (!late) carrier = Math.max(carrierBase + HOUR, Math.min(carrier, estimated - 2 * DAY));
    carrier = Math.floor(carrier / 1000) * 1000;
  }

  let delivered: number | null = null;
  if (hasDelivery && carrier !== null) {
    if (late) {
      const after = estimated + DAY + Math.min(60 * DAY, rng.exponential(6 * DAY)) + rng.int(8, 21) * HOUR;
      delivered = Math.max(after, carrier + 12 * HOUR) + rng.int(0, 3599) * 1000;
    } else {
      // Between half a day after pick-up and an hour before the estimated day (max 10d approval/carrier
      // delays and ≥ 10 estimated days keep that window open).
      const lo = carrier + 12 * HOUR;
      const hi = estimated - HOUR;
      const u = (rng.next() + rng.next() + rng.next()) / 3;
      delivered = Math.floor((lo + u * 0.9 * Math.max(0, hi - lo)) / 1000) * 1000;
    }
  }
  return { purchase, approved, carrier, delivered, estimated, late };
};

// ---------------------------------------------------------------------------------------------------
// Payments

const SINGLE_PAYMENT = new Weighted<PaymentType>([
  ['credit_card', 0.77], ['boleto', 0.204], ['debit_card', 0.0158], ['voucher', 0.0083],
]);
const MULTI_PAYMENT_RATE = 0.027;
const VOUCHERS = new Weighted<number>([[1, 60], [2, 20], [3, 10], [4, 5], [5, 2], [6, 1.5], [8, 1], [10, 0.5]]);

/** The payment types of an order, in `payment_sequential` order. Several payments = vouchers (+ a card). */
export const planPayments = (rng: Rng): PaymentType[] => {
  if (!rng.chance(MULTI_PAYMENT_RATE)) return [SINGLE_PAYMENT.sample(rng)];
  const vouchers = VOUCHERS.sample(rng);
  if (rng.chance(0.85)) return ['credit_card', ...Array<PaymentType>(vouchers).fill('voucher')];
  return Array<PaymentType>(Math.max(2, vouchers)).fill('voucher');
};

const INSTALLMENTS = new Weighted<number>([
  [1, 50.5], [2, 11.8], [3, 10.1], [4, 7.1], [5, 5], [6, 3.9], [7, 1.6], [8, 4.3], [9, 0.6], [10, 5.8],
  [11, 0.03], [12, 0.18], [13, 0.02], [14, 0.02], [15, 0.09], [16, 0.01], [17, 0.01], [18, 0.03],
  [20, 0.02], [21, 0.01], [22, 0.002], [23, 0.001], [24, 0.02],
]);

/** Credit-card installments 1..24, at least R$ 5 per installment. Other types pay in one go. */
export const installmentsFor = (type: PaymentType, value: Centavos, rng: Rng): number => {
  if (type !== 'credit_card') return 1;
  const wanted = INSTALLMENTS.sample(rng);
  return Math.max(1, Math.min(wanted, Math.floor(value / 500)));
};

/**
 * Splits a total over the payments: vouchers take modest shares, a card takes the rest. Every part is
 * at least one centavo and the parts add up to the total.
 */
export const splitPayments = (types: ReadonlyArray<PaymentType>, total: Centavos, rng: Rng): Centavos[] => {
  if (types.length === 1) return [total];
  const weights = types.map((t) => (t === 'voucher' ? rng.float(0.2, 1) : rng.float(1, 4)));
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  let diff = total - parts.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0 && i < parts.length * 2; i++) {
    const k = i % parts.length;
    const delta = diff > 0 ? diff : Math.max(diff, 1 - parts[k]!);
    parts[k]! += delta;
    diff -= delta;
  }
  return parts;
};
