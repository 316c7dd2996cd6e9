import type { DuckDBTimestampValue } from '@duckdb/node-api';
import type { RecordedEvent } from '@olist/event-store';
import { decimalFromCentavos, timestampFromIso } from '@olist/duckdb';
import type { CustomerData, ZipCodeLocation } from '@olist/customer';
import type { ProductData, SellerData } from '@olist/marketplace';
import { inCalendarWindow } from './calendar.js';
import { STAGING, StagedColumns, type StagingName } from './staging.js';

/** fact_orders.order_status, by precedence: the highest rank any of the order's events implies wins. */
export const ORDER_STATUS_BY_RANK = [
  'created',
  'approved',
  'invoiced',
  'processing',
  'shipped',
  'delivered',
  'unavailable',
  'canceled',
] as const;
export type ProjectedOrderStatus = (typeof ORDER_STATUS_BY_RANK)[number];
const RANK = Object.fromEntries(ORDER_STATUS_BY_RANK.map((s, i) => [s, i])) as Record<ProjectedOrderStatus, number>;

/** Event types this projection reads; every other type (operational, unknown) only advances the checkpoint. */
export const STAR_SCHEMA_EVENT_TYPES = [
  'CategoryRegistered',
  'CategoryTranslationCorrected',
  'SellerRegistered',
  'SellerDetailsCorrected',
  'ProductListed',
  'ProductDetailsCorrected',
  'CustomerRegistered',
  'CustomerAddressCorrected',
  'ZipCodeLocated',
  'OrderPlaced',
  'OrderPlacementCorrected',
  'OrderApproved',
  'OrderInvoiced',
  'OrderProcessingStarted',
  'OrderCancelled',
  'OrderMarkedUnavailable',
  'OrderItemAdded',
  'OrderItemCorrected',
  'PaymentReceived',
  'PaymentCorrected',
  'ShipmentDispatched',
  'DeliveryCompleted',
  'ReviewSubmitted',
  'ReviewCorrected',
  'ReviewAnswered',
] as const;

interface OrderPatch {
  customerId: string | null;
  purchasedAt: string | null;
  estimatedDeliveryAt: string | null;
  approvedAt: string | null;
  statusRank: number;
  dispatchedAt: string | null;
  deliveredAt: string | null;
  deliveryEstimatedAt: string | null;
  onTime: boolean | null;
  delayDays: number | null;
  inDeliveries: boolean;
  /** An order-level event (placement, status, shipment) is in the batch, not only an item/payment/review. */
  patched: boolean;
  /** Its customer or purchase time was corrected: the children's keys follow. */
  corrected: boolean;
}

interface ReviewPatch {
  reviewId: string;
  orderId: string;
  submitted: boolean;
  score: number | null;
  hasComment: boolean | null;
  createdAt: string | null;
  answeredAt: string | null;
}

interface GeoSum {
  zipPrefix: string;
  city: string;
  state: string;
  rows: bigint;
  sumLat: bigint;
  sumLng: bigint;
}

interface ItemRow {
  orderId: string;
  orderItemId: number;
  productId: string;
  sellerId: string;
  shippingLimitAt: string | null;
  price: number;
  freight: number;
}

interface PaymentRow {
  orderId: string;
  paymentSequential: number;
  paymentType: string;
  installments: number;
  value: number;
}

/** What the projection keeps in memory per projected order: enough to key its items, payments and reviews. */
export interface OrderRef {
  readonly customerId: string | null;
  /** core.date_key of the purchase (0 = unknown). */
  readonly purchaseDateKey: number;
}

/** core.date_key in JS: yyyymmdd of the UTC date, 0 for null, unparsable or outside the calendar window. */
export const dateKey = (iso: string | null): number => {
  if (iso === null) return 0;
  const ms = Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) return 0;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return inCalendarWindow(y) ? y * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate() : 0;
};

/** A ZipCodeLocated event kept for the per-stream revision guard. */
export interface GeoEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly location: ZipCodeLocation;
}

const NO_ORDER: OrderRef = { customerId: null, purchaseDateKey: 0 };
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
const int = (v: unknown): number => intOrNull(v) ?? 0;
const ts = (iso: string | null): DuckDBTimestampValue | null => timestampFromIso(iso);
const hasText = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;
/** Degrees to exact integers (1e-12 degree resolution), so sums do not depend on event order. */
const scaled = (degrees: number): bigint => BigInt(Math.round(degrees * 1e12));
const yearOf = (iso: string | null): number | undefined => {
  if (iso === null) return undefined;
  const y = Number(iso.slice(0, 4));
  return Number.isInteger(y) ? y : undefined;
};

/**
 * A batch's events grouped by what they change, last event winning per natural key (events arrive in
 * log order). Pure: no I/O. ZipCodeLocated events are kept aside until the revision guard has run.
 */
export class StarSchemaBatch {
  readonly categories = new Map<string, string | null>();
  readonly sellers = new Map<string, SellerData>();
  readonly products = new Map<string, ProductData>();
  readonly customers = new Map<string, CustomerData>();
  readonly geoEvents: GeoEvent[] = [];
  readonly orders = new Map<string, OrderPatch>();
  readonly items = new Map<string, ItemRow>();
  readonly payments = new Map<string, PaymentRow>();
  readonly reviews = new Map<string, ReviewPatch>();
  /** Smallest and largest year of a date that becomes a date key (purchase, review creation). */
  minYear: number | undefined;
  maxYear: number | undefined;
  /** Events of types this projection reads. */
  relevant = 0;
  /** OrderPlaced events. */
  placements = 0;
  /** OrderPlacementCorrected events (their orders' children are rekeyed). */
  placementCorrections = 0;
  /** Set by stage(): staged orders new to fact_orders / already in it, and how many of each have shipment facts. */
  readonly newOrderIds: string[] = [];
  /** Set by stage(): each staged order's reference as it will be once committed. */
  readonly orderRefs = new Map<string, OrderRef>();
  mergedOrders = 0;
  newDeliveries = 0;
  mergedDeliveries = 0;

  constructor(events: ReadonlyArray<RecordedEvent>) {
    for (const event of events) this.add(event);
  }

  private order(orderId: string): OrderPatch {
    let patch = this.orders.get(orderId);
    if (!patch) {
      patch = {
        customerId: null,
        purchasedAt: null,
        estimatedDeliveryAt: null,
        approvedAt: null,
        statusRank: 0,
        dispatchedAt: null,
        deliveredAt: null,
        deliveryEstimatedAt: null,
        onTime: null,
        delayDays: null,
        inDeliveries: false,
        patched: false,
        corrected: false,
      };
      this.orders.set(orderId, patch);
    }
    return patch;
  }

  private patch(orderId: string): OrderPatch {
    const patch = this.order(orderId);
    patch.patched = true;
    return patch;
  }

  private status(orderId: string, status: ProjectedOrderStatus): OrderPatch {
    const patch = this.patch(orderId);
    patch.statusRank = Math.max(patch.statusRank, RANK[status]);
    return patch;
  }

  private noteYear(iso: string | null): void {
    const y = yearOf(iso);
    if (y === undefined || !inCalendarWindow(y)) return; // date key 0: nothing to add to the calendar
    if (this.minYear === undefined || y < this.minYear) this.minYear = y;
    if (this.maxYear === undefined || y > this.maxYear) this.maxYear = y;
  }

  private review(reviewId: string, orderId: string): ReviewPatch {
    const key = `${reviewId}\u0000${orderId}`;
    let patch = this.reviews.get(key);
    if (!patch) {
      patch = { reviewId, orderId, submitted: false, score: null, hasComment: null, createdAt: null, answeredAt: null };
      this.reviews.set(key, patch);
    }
    return patch;
  }

  private add(event: RecordedEvent): void {
    // Data shapes: libs/{marketplace,customer,sales,fulfillment}/src/events.ts. Events without their
    // natural key are skipped (a projection never throws on data).
    const d = (event.data ?? {}) as Record<string, unknown>;
    const orderId = d['orderId'];
    switch (event.type) {
      case 'CategoryRegistered':
      case 'CategoryTranslationCorrected':
        if (!isText(d['category'])) return;
        this.categories.set(d['category'], textOrNull(d['categoryNameEn']));
        break;
      case 'SellerRegistered':
      case 'SellerDetailsCorrected':
        if (!isText(d['sellerId'])) return;
        this.sellers.set(d['sellerId'], d as unknown as SellerData);
        break;
      case 'ProductListed':
      case 'ProductDetailsCorrected':
        if (!isText(d['productId'])) return;
        this.products.set(d['productId'], d as unknown as ProductData);
        break;
      case 'CustomerRegistered':
      case 'CustomerAddressCorrected':
        if (!isText(d['customerId'])) return;
        this.customers.set(d['customerId'], d as unknown as CustomerData);
        break;
      case 'ZipCodeLocated':
        if (!isText(d['zipPrefix']) || typeof d['lat'] !== 'number' || typeof d['lng'] !== 'number') return;
        this.geoEvents.push({ streamId: event.streamId, revision: event.revision, location: d as unknown as ZipCodeLocation });
        break;
      case 'OrderPlaced':
      case 'OrderPlacementCorrected': {
        if (!isText(orderId)) return;
        const patch = this.patch(orderId);
        patch.customerId = textOrNull(d['customerId']) ?? patch.customerId;
        patch.purchasedAt = textOrNull(d['purchasedAt']) ?? patch.purchasedAt;
        patch.estimatedDeliveryAt = textOrNull(d['estimatedDeliveryAt']) ?? patch.estimatedDeliveryAt;
        this.noteYear(patch.purchasedAt);
        if (event.type === 'OrderPlaced') this.placements++;
        else {
          patch.corrected = true;
          this.placementCorrections++;
        }
        break;
      }
      case 'OrderApproved': {
        if (!isText(orderId)) return;
        const patch = this.status(orderId, 'approved');
        patch.approvedAt = textOrNull(d['approvedAt']) ?? patch.approvedAt;
        break;
      }
      case 'OrderInvoiced':
        if (!isText(orderId)) return;
        this.status(orderId, 'invoiced');
        break;
      case 'OrderProcessingStarted':
        if (!isText(orderId)) return;
        this.status(orderId, 'processing');
        break;
      case 'OrderCancelled':
        if (!isText(orderId)) return;
        this.status(orderId, 'canceled');
        break;
      case 'OrderMarkedUnavailable':
        if (!isText(orderId)) return;
        this.status(orderId, 'unavailable');
        break;
      case 'ShipmentDispatched': {
        if (!isText(orderId)) return;
        const patch = this.status(orderId, 'shipped');
        patch.inDeliveries = true;
        patch.dispatchedAt = textOrNull(d['dispatchedAt']) ?? patch.dispatchedAt;
        break;
      }
      case 'DeliveryCompleted': {
        if (!isText(orderId)) return;
        const patch = this.status(orderId, 'delivered');
        patch.inDeliveries = true;
        patch.deliveredAt = textOrNull(d['deliveredAt']) ?? patch.deliveredAt;
        patch.deliveryEstimatedAt = textOrNull(d['estimatedDeliveryAt']) ?? patch.deliveryEstimatedAt;
        if (typeof d['onTime'] === 'boolean') patch.onTime = d['onTime'];
        patch.delayDays = intOrNull(d['delayDays']) ?? patch.delayDays;
        break;
      }
      case 'OrderItemAdded':
      case 'OrderItemCorrected': {
        if (!isText(orderId) || typeof d['orderItemId'] !== 'number') return;
        this.order(orderId);
        this.items.set(`${orderId}\u0000${d['orderItemId']}`, {
          orderId,
          orderItemId: d['orderItemId'],
          productId: textOrNull(d['productId']) ?? '',
          sellerId: textOrNull(d['sellerId']) ?? '',
          shippingLimitAt: textOrNull(d['shippingLimitAt']),
          price: int(d['price']),
          freight: int(d['freight']),
        });
        break;
      }
      case 'PaymentReceived':
      case 'PaymentCorrected': {
        if (!isText(orderId) || typeof d['paymentSequential'] !== 'number') return;
        this.order(orderId);
        this.payments.set(`${orderId}\u0000${d['paymentSequential']}`, {
          orderId,
          paymentSequential: d['paymentSequential'],
          paymentType: textOrNull(d['paymentType']) ?? 'unknown',
          installments: int(d['installments']),
          value: int(d['value']),
        });
        break;
      }
      case 'ReviewSubmitted':
      case 'ReviewCorrected': {
        if (!isText(d['reviewId']) || !isText(orderId)) return;
        this.order(orderId);
        const patch = this.review(d['reviewId'], orderId);
        patch.submitted = true;
        patch.score = intOrNull(d['score']);
        patch.hasComment = hasText(d['commentMessage']) || hasText(d['commentTitle']);
        patch.createdAt = textOrNull(d['createdAt']);
        this.noteYear(patch.createdAt);
        break;
      }
      case 'ReviewAnswered': {
        if (!isText(d['reviewId']) || !isText(orderId)) return;
        this.order(orderId);
        const patch = this.review(d['reviewId'], orderId);
        patch.answeredAt = textOrNull(d['answeredAt']) ?? patch.answeredAt;
        break;
      }
      default:
        return; // operational (PipelineRun*, RowRejected, SourceFileIngested, QualityCheckRecorded) or unknown
    }
    this.relevant++;
  }

  /** Distinct streams of the batch's ZipCodeLocated events. */
  geoStreams(): string[] {
    return [...new Set(this.geoEvents.map((e) => e.streamId))];
  }

  /**
   * Staging columns for every non-empty group. `projectedRevisions` holds, per geo stream, the last
   * revision already projected: events at or below it are skipped (they were applied before).
   * `knownOrders` are the orders already in fact_orders (new ones are inserted, known ones merged) with
   * their customer and purchase date, which key their items, payments and reviews without a join;
   * `knownCustomers` the customer ids in dim_customer (a customer key resolves without a join).
   */
  stage(
    projectedRevisions: ReadonlyMap<string, bigint>,
    knownOrders: ReadonlyMap<string, OrderRef>,
    knownCustomers: ReadonlySet<string>,
  ): Map<StagingName, StagedColumns> {
    const out = new Map<StagingName, StagedColumns>();
    const isKnownCustomer = (id: string | null): boolean => id !== null && (knownCustomers.has(id) || this.customers.has(id));
    const stage = (name: StagingName): StagedColumns => {
      let s = out.get(name);
      if (!s) out.set(name, (s = new StagedColumns(STAGING[name])));
      return s;
    };

    for (const [name, en] of this.categories) stage('category').push(name, en);
    for (const [id, s] of this.sellers) stage('seller').push(id, textOrNull(s.zipPrefix), textOrNull(s.city), textOrNull(s.state));
    for (const [id, p] of this.products) {
      stage('product').push(
        id,
        textOrNull(p.category),
        intOrNull(p.nameLength),
        intOrNull(p.descriptionLength),
        intOrNull(p.photosQty),
        intOrNull(p.weightG),
        intOrNull(p.lengthCm),
        intOrNull(p.heightCm),
        intOrNull(p.widthCm),
      );
    }
    for (const [id, c] of this.customers) {
      stage('customer').push(id, textOrNull(c.customerUniqueId) ?? '', textOrNull(c.zipPrefix), textOrNull(c.city), textOrNull(c.state));
    }

    if (this.geoEvents.length > 0) {
      const sums = new Map<string, GeoSum>();
      const progress = new Map<string, bigint>();
      for (const { streamId, revision, location: l } of this.geoEvents) {
        const done = progress.get(streamId) ?? projectedRevisions.get(streamId);
        if (done !== undefined && revision <= done) continue; // projected before, or twice in this batch
        progress.set(streamId, revision);
        const city = textOrNull(l.city) ?? '';
        const state = textOrNull(l.state) ?? '';
        const key = `${l.zipPrefix}\u0000${city}\u0000${state}`;
        let sum = sums.get(key);
        if (!sum) sums.set(key, (sum = { zipPrefix: l.zipPrefix, city, state, rows: 0n, sumLat: 0n, sumLng: 0n }));
        sum.rows += 1n;
        sum.sumLat += scaled(l.lat);
        sum.sumLng += scaled(l.lng);
      }
      for (const s of sums.values()) stage('geo').push(s.zipPrefix, s.city, s.state, s.rows, s.sumLat, s.sumLng);
      for (const prefix of new Set([...sums.values()].map((s) => s.zipPrefix))) stage('geoPrefix').push(prefix);
      for (const [streamId, revision] of progress) stage('streamProgress').push(streamId, revision);
    }

    for (const [id, o] of this.orders) {
      const ref = knownOrders.get(id);
      const known = ref !== undefined;
      if (known && !o.patched) continue; // only an item/payment/review of a projected order: nothing to merge
      this.orderRefs.set(id, {
        customerId: o.customerId ?? ref?.customerId ?? null,
        purchaseDateKey: o.purchasedAt !== null ? dateKey(o.purchasedAt) : (ref?.purchaseDateKey ?? 0),
      });
      if (known) {
        this.mergedOrders++;
        if (o.inDeliveries) this.mergedDeliveries++;
      } else {
        this.newOrderIds.push(id);
        if (o.inDeliveries) this.newDeliveries++;
      }
      stage('order').push(
        id,
        o.customerId,
        isKnownCustomer(o.customerId),
        ts(o.purchasedAt),
        ts(o.estimatedDeliveryAt),
        ts(o.approvedAt),
        o.statusRank,
        ts(o.dispatchedAt),
        ts(o.deliveredAt),
        ts(o.deliveryEstimatedAt),
        o.onTime,
        o.delayDays,
        o.inDeliveries,
        !known,
        known && o.corrected,
      );
    }
    // Children carry their order's customer and purchase date (as committed after this batch).
    const orderOf = (orderId: string): OrderRef => this.orderRefs.get(orderId) ?? knownOrders.get(orderId) ?? NO_ORDER;
    for (const i of this.items.values()) {
      const order = orderOf(i.orderId);
      stage('item').push(
        i.orderId,
        order.customerId,
        isKnownCustomer(order.customerId),
        order.purchaseDateKey,
        i.orderItemId,
        i.productId,
        i.sellerId,
        ts(i.shippingLimitAt),
        decimalFromCentavos(i.price),
        decimalFromCentavos(i.freight),
      );
    }
    for (const p of this.payments.values()) {
      const order = orderOf(p.orderId);
      stage('payment').push(
        p.orderId,
        order.customerId,
        isKnownCustomer(order.customerId),
        order.purchaseDateKey,
        p.paymentSequential,
        p.paymentType,
        p.installments,
        decimalFromCentavos(p.value),
      );
    }
    for (const r of this.reviews.values()) {
      const order = orderOf(r.orderId);
      stage('review').push(
        r.reviewId,
        r.orderId,
        order.customerId,
        isKnownCustomer(order.customerId),
        r.submitted,
        r.score,
        r.hasComment,
        ts(r.createdAt),
        ts(r.answeredAt),
      );
    }
    return out;
  }
}
