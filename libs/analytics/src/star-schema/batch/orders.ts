import { timestampFromIso } from '@olist/duckdb';
import { ORDER_STATUS_PRECEDENCE, type OrderStatus } from '@olist/sales';
import { dateKey, type YearSpan } from '../calendar.js';
import type { StagedTables } from '../staging.js';
import { intOrNull, isText, textOrNull, type EventData } from './star-schema-events.js';

/** stg_order.status_rank: the status's position in ORDER_STATUS_PRECEDENCE (sql.ts maps it back). */
const RANK = Object.fromEntries(ORDER_STATUS_PRECEDENCE.map((s, i) => [s, i])) as Record<OrderStatus, number>;

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

/** What the projection keeps in memory per projected order: enough to key its items, payments and reviews. */
export interface OrderRef {
  readonly customerId: string | null;
  /** core.date_key of the purchase (0 = unknown). */
  readonly purchaseDateKey: number;
  /** Its customer was in dim_customer when the order was last written (customer_key <> 0): it still is. */
  readonly customerKnown: boolean;
}

const NO_ORDER: OrderRef = { customerId: null, purchaseDateKey: 0, customerKnown: false };

/** A child's order as it will be once the batch is committed: its customer and purchase date key the child. */
export type OrderOf = (orderId: string) => OrderRef;
/** Whether a customer id is in dim_customer once the batch is committed (its key resolves without a join). */
export type CustomerKnown = (customerId: string | null) => boolean;

/**
 * The batch's order-level facts for fact_orders and fact_deliveries: placement, lifecycle and shipment,
 * merged per order (later non-null values win, the status by precedence).
 */
export class OrderChanges {
  private readonly patches = new Map<string, OrderPatch>();
  /** OrderPlaced events. */
  placements = 0;
  /** OrderPlacementCorrected events (their orders' children are rekeyed). */
  placementCorrections = 0;
  /** Set by stage(): each staged order's reference as it will be once committed. */
  readonly refs = new Map<string, OrderRef>();
  /** Set by stage(): staged orders new to fact_orders / already in it, and how many of each have shipment facts. */
  newOrders = 0;
  mergedOrders = 0;
  newDeliveries = 0;
  mergedDeliveries = 0;

  constructor(private readonly years: YearSpan) {}

  /** An order an item, payment or review refers to: staged if it is not projected yet. */
  touch(orderId: string): void {
    this.order(orderId);
  }

  placed(data: EventData<'OrderPlaced' | 'OrderPlacementCorrected'>, correction: boolean): boolean {
    const patch = this.patch(data.orderId);
    if (!patch) return false;
    patch.customerId = textOrNull(data.customerId) ?? patch.customerId;
    patch.purchasedAt = textOrNull(data.purchasedAt) ?? patch.purchasedAt;
    patch.estimatedDeliveryAt = textOrNull(data.estimatedDeliveryAt) ?? patch.estimatedDeliveryAt;
    this.years.note(patch.purchasedAt);
    if (!correction) this.placements++;
    else {
      patch.corrected = true;
      this.placementCorrections++;
    }
    return true;
  }

  approved(data: EventData<'OrderApproved'>): boolean {
    const patch = this.reached(data.orderId, 'approved');
    if (patch) patch.approvedAt = textOrNull(data.approvedAt) ?? patch.approvedAt;
    return patch !== undefined;
  }

  /** OrderInvoiced, OrderProcessingStarted, OrderCancelled, OrderMarkedUnavailable: the status is all they say. */
  statusReached(data: { readonly orderId: string }, status: OrderStatus): boolean {
    return this.reached(data.orderId, status) !== undefined;
  }

  dispatched(data: EventData<'ShipmentDispatched'>): boolean {
    const patch = this.reached(data.orderId, 'shipped');
    if (!patch) return false;
    patch.inDeliveries = true;
    patch.dispatchedAt = textOrNull(data.dispatchedAt) ?? patch.dispatchedAt;
    return true;
  }

  delivered(data: EventData<'DeliveryCompleted'>): boolean {
    const patch = this.reached(data.orderId, 'delivered');
    if (!patch) return false;
    patch.inDeliveries = true;
    patch.deliveredAt = textOrNull(data.deliveredAt) ?? patch.deliveredAt;
    patch.deliveryEstimatedAt = textOrNull(data.estimatedDeliveryAt) ?? patch.deliveryEstimatedAt;
    if (typeof data.onTime === 'boolean') patch.onTime = data.onTime;
    patch.delayDays = intOrNull(data.delayDays) ?? patch.delayDays;
    return true;
  }

  private order(orderId: string): OrderPatch {
    let patch = this.patches.get(orderId);
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
      this.patches.set(orderId, patch);
    }
    return patch;
  }

  /** The patch of an order-level event's order; undefined when the event has no order id. */
  private patch(orderId: unknown): OrderPatch | undefined {
    if (!isText(orderId)) return undefined;
    const patch = this.order(orderId);
    patch.patched = true;
    return patch;
  }

  private reached(orderId: unknown, status: OrderStatus): OrderPatch | undefined {
    const patch = this.patch(orderId);
    if (patch) patch.statusRank = Math.max(patch.statusRank, RANK[status]);
    return patch;
  }

  /**
   * Stages the orders new to fact_orders (`knownOrders` are the ones in it, with their customer and
   * purchase date) and the known ones an order-level event changes.
   */
  stage(staged: StagedTables, knownOrders: ReadonlyMap<string, OrderRef>, customerKnown: CustomerKnown): void {
    for (const [id, o] of this.patches) {
      const ref = knownOrders.get(id);
      const known = ref !== undefined;
      if (known && !o.patched) continue; // only an item/payment/review of a projected order: nothing to merge
      const customerId = o.customerId ?? ref?.customerId ?? null;
      this.refs.set(id, {
        customerId,
        purchaseDateKey: o.purchasedAt !== null ? dateKey(o.purchasedAt) : (ref?.purchaseDateKey ?? 0),
        customerKnown: customerKnown(customerId),
      });
      if (known) {
        this.mergedOrders++;
        if (o.inDeliveries) this.mergedDeliveries++;
      } else {
        this.newOrders++;
        if (o.inDeliveries) this.newDeliveries++;
      }
      staged.append('order', {
        order_id: id,
        customer_id: o.customerId,
        customer_known: customerKnown(o.customerId),
        purchased_at: timestampFromIso(o.purchasedAt),
        estimated_delivery_at: timestampFromIso(o.estimatedDeliveryAt),
        approved_at: timestampFromIso(o.approvedAt),
        status_rank: o.statusRank,
        dispatched_at: timestampFromIso(o.dispatchedAt),
        delivered_at: timestampFromIso(o.deliveredAt),
        delivery_estimated_at: timestampFromIso(o.deliveryEstimatedAt),
        on_time: o.onTime,
        delay_days: o.delayDays,
        in_deliveries: o.inDeliveries,
        is_new: !known,
        rekey: known && o.corrected,
      });
    }
  }

  /** Every order the batch touches: by an order-level event, or by an item, payment or review. */
  ids(): Iterable<string> {
    return this.patches.keys();
  }

  /** The customers the batch's orders name, `stored` holding the references of the orders already projected. */
  *customerIds(stored: ReadonlyMap<string, OrderRef>): Iterable<string> {
    for (const [id, o] of this.patches) {
      if (o.customerId !== null) yield o.customerId;
      const storedCustomer = stored.get(id)?.customerId;
      if (storedCustomer) yield storedCustomer;
    }
  }

  /** An order's reference as committed after this batch (call after stage()). */
  refOf(orderId: string, knownOrders: ReadonlyMap<string, OrderRef>): OrderRef {
    return this.refs.get(orderId) ?? knownOrders.get(orderId) ?? NO_ORDER;
  }
}
