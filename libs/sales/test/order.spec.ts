import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import { orderDecider, type AddOrderItem, type PlaceOrder, type ReceivePayment, type SalesEvent } from '../src/index.js';

const spec = deciderSpecification(orderDecider);
const orderId = 'o1';
const place = (over: Partial<PlaceOrder> = {}): PlaceOrder => ({
  type: 'PlaceOrder', orderId, customerId: 'c1', status: 'delivered',
  purchasedAt: '2017-10-02T10:56:33.000Z', approvedAt: '2017-10-02T11:07:15.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', ...over,
});
const placed: SalesEvent = { type: 'OrderPlaced', data: { orderId, customerId: 'c1', purchasedAt: '2017-10-02T10:56:33.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z' } };
const approved: SalesEvent = { type: 'OrderApproved', data: { orderId, approvedAt: '2017-10-02T11:07:15.000Z' } };
const invoiced: SalesEvent = { type: 'OrderInvoiced', data: { orderId } };
const item = (over: Partial<AddOrderItem> = {}): AddOrderItem => ({
  type: 'AddOrderItem', orderId, orderItemId: 1, productId: 'p1', sellerId: 's1', shippingLimitAt: '2017-10-06T11:07:15.000Z', price: 2990, freight: 872, ...over,
});
const payment = (over: Partial<ReceivePayment> = {}): ReceivePayment => ({
  type: 'ReceivePayment', orderId, paymentSequential: 1, paymentType: 'credit_card', installments: 1, value: 3862, ...over,
});
const { type: _i, ...itemData } = item();
const { type: _p, ...paymentData } = payment();

describe('Order (Sales)', () => {
  describe('PlaceOrder', () => {
    it('places a delivered order with the lifecycle its status implies', () =>
      spec.given().when(place()).then(placed, approved, invoiced));
    it('places a created order without approval', () =>
      spec.given().when(place({ status: 'created', approvedAt: null })).then(placed));
    it('places a canceled order', () =>
      spec.given().when(place({ status: 'canceled' })).then(placed, approved, { type: 'OrderCancelled', data: { orderId } }));
    it('marks an unavailable order', () =>
      spec.given().when(place({ status: 'unavailable' })).then(placed, approved, { type: 'OrderMarkedUnavailable', data: { orderId } }));
    it('starts processing', () =>
      spec.given().when(place({ status: 'processing' })).then(placed, approved, invoiced, { type: 'OrderProcessingStarted', data: { orderId } }));
    it('does nothing for the same row again', () => spec.given(placed, approved, invoiced).when(place()).thenNothing());
    it('adds only the steps a later snapshot reveals', () =>
      spec.given(placed).when(place()).then(approved, invoiced));
    it('corrects the customer, purchase time or estimate of a placed order', () =>
      spec.given(placed, approved, invoiced).when(place({ customerId: 'c2', estimatedDeliveryAt: '2017-10-20T00:00:00.000Z' })).then({
        type: 'OrderPlacementCorrected', data: { orderId, customerId: 'c2', purchasedAt: '2017-10-02T10:56:33.000Z', estimatedDeliveryAt: '2017-10-20T00:00:00.000Z' },
      }));
    it('takes no step back: an older snapshot changes nothing', () =>
      spec.given(placed, approved, invoiced).when(place({ status: 'created', approvedAt: null })).thenNothing());
    it('takes no step after an exit: a canceled order cannot be invoiced, shipped or delivered', () => {
      const cancelled: SalesEvent = { type: 'OrderCancelled', data: { orderId } };
      spec.given(placed, approved, cancelled).when(place({ status: 'invoiced' })).thenRejected('order o1 is canceled: it cannot become invoiced');
      spec.given(placed, approved, cancelled).when(place({ status: 'delivered' })).thenRejected('order o1 is canceled: it cannot become delivered');
      spec.given(placed, approved, cancelled).when(place({ status: 'unavailable' })).thenRejected('order o1 is canceled: it cannot become unavailable');
      spec.given(placed, approved, cancelled).when(place({ status: 'canceled' })).thenNothing();
    });
    it('an unavailable order cannot be canceled afterwards', () =>
      spec.given(placed, { type: 'OrderMarkedUnavailable', data: { orderId } }).when(place({ status: 'canceled', approvedAt: null }))
        .thenRejected('order o1 is unavailable: it cannot become canceled'));
  });

  describe('AddOrderItem', () => {
    it('adds an item to a known order', () => spec.given(placed).when(item()).then({ type: 'OrderItemAdded', data: itemData }));
    it('rejects an item of an unknown order', () => spec.given().when(item()).thenRejected('unknown order'));
    it('rejects negative price and freight with both reasons', () =>
      spec.given(placed).when(item({ price: -1, freight: -2 })).thenRejected(/price must not be negative/, /freight_value must not be negative/));
    it('is idempotent', () => spec.given(placed, { type: 'OrderItemAdded', data: itemData }).when(item()).thenNothing());
    it('corrects an item re-posted with other values', () =>
      spec.given(placed, { type: 'OrderItemAdded', data: itemData }).when(item({ price: 1 })).then({ type: 'OrderItemCorrected', data: { ...itemData, price: 1 } }));
    it('does nothing for a correction posted again', () =>
      spec.given(placed, { type: 'OrderItemAdded', data: itemData }, { type: 'OrderItemCorrected', data: { ...itemData, price: 1 } })
        .when(item({ price: 1 })).thenNothing());
    it('rejects a correction that breaks an invariant', () =>
      spec.given(placed, { type: 'OrderItemAdded', data: itemData }).when(item({ price: -1 })).thenRejected(/price must not be negative/));
  });

  describe('ReceivePayment', () => {
    it('receives a payment', () => spec.given(placed).when(payment()).then({ type: 'PaymentReceived', data: paymentData }));
    it('accepts 0 installments (a quality finding, not a rejection)', () =>
      spec.given(placed).when(payment({ installments: 0 })).then({ type: 'PaymentReceived', data: { ...paymentData, installments: 0 } }));
    it('rejects a payment of an unknown order', () => spec.given().when(payment()).thenRejected('unknown order'));
    it('rejects a negative value', () => spec.given(placed).when(payment({ value: -5 })).thenRejected(/payment_value must not be negative/));
    it('is idempotent', () => spec.given(placed, { type: 'PaymentReceived', data: paymentData }).when(payment()).thenNothing());
    it('corrects a payment re-posted with other values', () =>
      spec.given(placed, { type: 'PaymentReceived', data: paymentData }).when(payment({ installments: 3 }))
        .then({ type: 'PaymentCorrected', data: { ...paymentData, installments: 3 } }));
  });
});

describe('Order business time (occurredAt)', () => {
  const { occurredAt } = orderDecider;
  const placedState = orderDecider.evolve(orderDecider.initialState(), placed);
  it('dates placement and approval by their own timestamps', () => {
    expect(occurredAt(placed, place(), orderDecider.initialState())).toBe('2017-10-02T10:56:33.000Z');
    expect(occurredAt(approved, place(), orderDecider.initialState())).toBe('2017-10-02T11:07:15.000Z');
  });
  it('dates the steps Olist does not time by the latest time the row gives before them', () => {
    expect(occurredAt(invoiced, place(), placedState)).toBe('2017-10-02T11:07:15.000Z');
    expect(occurredAt({ type: 'OrderCancelled', data: { orderId } }, place({ status: 'canceled', approvedAt: null }), placedState)).toBe('2017-10-02T10:56:33.000Z');
  });
  it('dates items and payments by the purchase of their order', () => {
    expect(occurredAt({ type: 'OrderItemAdded', data: itemData }, item(), placedState)).toBe('2017-10-02T10:56:33.000Z');
    expect(occurredAt({ type: 'PaymentCorrected', data: paymentData }, payment(), placedState)).toBe('2017-10-02T10:56:33.000Z');
  });
});
