import { accepted, decideUnless, rejected, streamId, type Decider, type Decision } from '@olist/shared-kernel';
import type { OrderItemAdded, PaymentReceived, SalesEvent } from '../events.js';
import { INVOICED_OR_LATER, type OrderStatus } from './order-status.js';

export interface PlaceOrder {
  readonly type: 'PlaceOrder';
  readonly orderId: string;
  readonly customerId: string;
  /** The status the source reports now; the decider emits the lifecycle events it implies. */
  readonly status: OrderStatus;
  readonly purchasedAt: string;
  readonly approvedAt: string | null;
  readonly estimatedDeliveryAt: string | null;
}
export type AddOrderItem = { readonly type: 'AddOrderItem' } & OrderItemAdded['data'];
export type ReceivePayment = { readonly type: 'ReceivePayment' } & PaymentReceived['data'];
export type OrderCommand = PlaceOrder | AddOrderItem | ReceivePayment;

type Milestone = 'approved' | 'invoiced' | 'processing' | 'canceled' | 'unavailable';
/** Canceled and unavailable end an order's lifecycle: no later snapshot may take it further. */
const EXITS: ReadonlyArray<Milestone> = ['canceled', 'unavailable'];
export type OrderState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'placed';
      readonly customerId: string;
      readonly purchasedAt: string;
      readonly estimatedDeliveryAt: string | null;
      readonly milestones: ReadonlySet<Milestone>;
      /** Item and payment content by their ids, to tell a re-posted row from a conflicting one. */
      readonly items: ReadonlyMap<number, string>;
      readonly payments: ReadonlyMap<number, string>;
    };

export const orderStreamId = (orderId: string): string => streamId('order', orderId);

const itemSignature = (i: OrderItemAdded['data']): string =>
  [i.productId, i.sellerId, i.shippingLimitAt, i.price, i.freight].join('|');
const paymentSignature = (p: PaymentReceived['data']): string => [p.paymentType, p.installments, p.value].join('|');

/**
 * An order row is a snapshot of the order now: the decider emits the lifecycle steps it reveals that the
 * stream has not recorded (created → approved → invoiced → processing; shipped and delivered belong to
 * Fulfillment's Shipment), never a step back. Canceled and unavailable are exits: an order that took one
 * takes no further step. A changed customer, purchase time or estimate is a correction.
 */
const placeOrder = (c: PlaceOrder, state: OrderState): Decision<SalesEvent> => {
  const has = (m: Milestone): boolean => state.status === 'placed' && state.milestones.has(m);
  const { orderId } = c;
  const placement = { orderId, customerId: c.customerId, purchasedAt: c.purchasedAt, estimatedDeliveryAt: c.estimatedDeliveryAt };
  const exit = EXITS.find(has);
  if (exit !== undefined) {
    const next = c.status === 'canceled' || c.status === 'unavailable' ? c.status : INVOICED_OR_LATER.has(c.status) ? c.status : undefined;
    if (next !== undefined && next !== exit) return rejected(`order ${orderId} is ${exit}: it cannot become ${next}`);
  }
  const events: SalesEvent[] = [];
  if (state.status === 'absent') {
    events.push({ type: 'OrderPlaced', data: placement });
  } else if (state.customerId !== c.customerId || state.purchasedAt !== c.purchasedAt || state.estimatedDeliveryAt !== c.estimatedDeliveryAt) {
    events.push({ type: 'OrderPlacementCorrected', data: placement });
  }
  if (c.approvedAt && !has('approved')) events.push({ type: 'OrderApproved', data: { orderId, approvedAt: c.approvedAt } });
  if (INVOICED_OR_LATER.has(c.status) && !has('invoiced')) events.push({ type: 'OrderInvoiced', data: { orderId } });
  if (c.status === 'processing' && !has('processing')) events.push({ type: 'OrderProcessingStarted', data: { orderId } });
  if (c.status === 'canceled' && !has('canceled')) events.push({ type: 'OrderCancelled', data: { orderId } });
  if (c.status === 'unavailable' && !has('unavailable')) events.push({ type: 'OrderMarkedUnavailable', data: { orderId } });
  return accepted(...events);
};

const addItem = (c: AddOrderItem, state: OrderState): Decision<SalesEvent> => {
  if (state.status === 'absent') return rejected('unknown order');
  const { type: _type, ...item } = c;
  const known = state.items.get(c.orderItemId);
  if (known === itemSignature(item)) return accepted();
  return decideUnless(
    [
      c.price < 0 && `price must not be negative (got ${c.price} centavos)`,
      c.freight < 0 && `freight_value must not be negative (got ${c.freight} centavos)`,
      c.orderItemId < 1 && `order_item_id must be 1 or more (got ${c.orderItemId})`,
    ],
    () => [{ type: known === undefined ? 'OrderItemAdded' : 'OrderItemCorrected', data: item }],
  );
};

const receivePayment = (c: ReceivePayment, state: OrderState): Decision<SalesEvent> => {
  if (state.status === 'absent') return rejected('unknown order');
  const { type: _type, ...payment } = c;
  const known = state.payments.get(c.paymentSequential);
  if (known === paymentSignature(payment)) return accepted();
  return decideUnless(
    [
      c.value < 0 && `payment_value must not be negative (got ${c.value} centavos)`,
      c.installments < 0 && `payment_installments must not be negative (got ${c.installments})`,
      c.paymentSequential < 1 && `payment_sequential must be 1 or more (got ${c.paymentSequential})`,
    ],
    () => [{ type: known === undefined ? 'PaymentReceived' : 'PaymentCorrected', data: payment }],
  );
};

const MILESTONE_OF: Partial<Record<SalesEvent['type'], Milestone>> = {
  OrderApproved: 'approved',
  OrderInvoiced: 'invoiced',
  OrderProcessingStarted: 'processing',
  OrderCancelled: 'canceled',
  OrderMarkedUnavailable: 'unavailable',
};

export const orderDecider: Decider<OrderCommand, OrderState, SalesEvent> = {
  initialState: () => ({ status: 'absent' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'PlaceOrder':
        return placeOrder(command, state);
      case 'AddOrderItem':
        return addItem(command, state);
      case 'ReceivePayment':
        return receivePayment(command, state);
      default: {
        const unhandled: never = command;
        throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
      }
    }
  },
  evolve: (state, event) => {
    if (event.type === 'OrderPlaced') {
      const { customerId, purchasedAt, estimatedDeliveryAt } = event.data;
      return { status: 'placed', customerId, purchasedAt, estimatedDeliveryAt, milestones: new Set(), items: new Map(), payments: new Map() };
    }
    if (state.status === 'absent') return state;
    switch (event.type) {
      case 'OrderPlacementCorrected': {
        const { customerId, purchasedAt, estimatedDeliveryAt } = event.data;
        return { ...state, customerId, purchasedAt, estimatedDeliveryAt };
      }
      case 'OrderItemAdded':
      case 'OrderItemCorrected':
        return { ...state, items: new Map(state.items).set(event.data.orderItemId, itemSignature(event.data)) };
      case 'PaymentReceived':
      case 'PaymentCorrected':
        return { ...state, payments: new Map(state.payments).set(event.data.paymentSequential, paymentSignature(event.data)) };
      default: {
        const milestone = MILESTONE_OF[event.type];
        return milestone ? { ...state, milestones: new Set(state.milestones).add(milestone) } : state;
      }
    }
  },
  occurredAt: (event, command, state) => {
    switch (event.type) {
      case 'OrderPlaced':
      case 'OrderPlacementCorrected':
        return event.data.purchasedAt;
      case 'OrderApproved':
        return event.data.approvedAt;
      case 'OrderInvoiced':
      case 'OrderProcessingStarted':
      case 'OrderCancelled':
      case 'OrderMarkedUnavailable':
        // Olist records no time for these steps: the latest time the order's row gives before them.
        return command.type === 'PlaceOrder' ? (command.approvedAt ?? command.purchasedAt) : null;
      default:
        // Items and payments have no time of their own: they belong to the order placed at purchase time.
        return state.status === 'placed' ? state.purchasedAt : null;
    }
  },
};
