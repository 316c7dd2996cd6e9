import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import { shipmentDecider, type TrackShipment } from '../src/index.js';

const spec = deciderSpecification(shipmentDecider);
const track = (over: Partial<TrackShipment> = {}): TrackShipment => ({
  type: 'TrackShipment', orderId: 'o1', orderStatus: 'delivered',
  dispatchedAt: '2017-10-04T19:55:00.000Z', deliveredAt: '2017-10-10T21:25:13.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', ...over,
});
const dispatched = { type: 'ShipmentDispatched' as const, data: { orderId: 'o1', dispatchedAt: '2017-10-04T19:55:00.000Z' } };

describe('Shipment (Fulfillment)', () => {
  it('dispatches and delivers on time, 8 days early', () =>
    spec.given().when(track()).then(dispatched, {
      type: 'DeliveryCompleted',
      data: { orderId: 'o1', deliveredAt: '2017-10-10T21:25:13.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: true, delayDays: -8 },
    }));
  it('delivered on the estimated date (later that day) is on time', () =>
    spec.given(dispatched).when(track({ deliveredAt: '2017-10-18T23:00:00.000Z' })).then({
      type: 'DeliveryCompleted',
      data: { orderId: 'o1', deliveredAt: '2017-10-18T23:00:00.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: true, delayDays: 0 },
    }));
  it('a day after the estimate is late by one day', () =>
    spec.given(dispatched).when(track({ deliveredAt: '2017-10-19T08:00:00.000Z' })).then({
      type: 'DeliveryCompleted',
      data: { orderId: 'o1', deliveredAt: '2017-10-19T08:00:00.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: false, delayDays: 1 },
    }));
  it('a shipped order is only dispatched', () =>
    spec.given().when(track({ orderStatus: 'shipped', deliveredAt: null })).then(dispatched));
  it('an order not handed to the carrier has no shipment events', () =>
    spec.given().when(track({ orderStatus: 'invoiced', dispatchedAt: null, deliveredAt: null })).thenNothing());
  it('delivered without a date: on-time unknown', () =>
    spec.given(dispatched).when(track({ deliveredAt: null })).then({
      type: 'DeliveryCompleted', data: { orderId: 'o1', deliveredAt: null, estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: null, delayDays: null },
    }));
  it('does nothing for the same row again', () =>
    spec.given(dispatched, { type: 'DeliveryCompleted', data: { orderId: 'o1', deliveredAt: '2017-10-10T21:25:13.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: true, delayDays: -8 } })
      .when(track()).thenNothing());
});
