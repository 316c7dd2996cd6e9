import { accepted, dateRange, daysIn, endsOnOrBefore, streamId, type Decider } from '@olist/shared-kernel';
import type { DeliveryCompleted, FulfillmentEvent } from '../events.js';

export interface TrackShipment {
  readonly type: 'TrackShipment';
  readonly orderId: string;
  /** The order's status as the source reports it (a plain string: Fulfillment does not own it). */
  readonly orderStatus: string;
  readonly dispatchedAt: string | null;
  readonly deliveredAt: string | null;
  readonly estimatedDeliveryAt: string | null;
}
export interface ShipmentState {
  readonly dispatched: boolean;
  readonly delivered: boolean;
}

export const shipmentStreamId = (orderId: string): string => streamId('shipment', orderId);

/** On time when delivered on or before the estimated date (calendar dates, UTC); the delay is the days from the estimate to the delivery. */
export const deliveryOutcome = (
  deliveredAt: string | null,
  estimatedDeliveryAt: string | null,
): Pick<DeliveryCompleted['data'], 'onTime' | 'delayDays'> => {
  if (!deliveredAt || !estimatedDeliveryAt) return { onTime: null, delayDays: null };
  const lateness = dateRange(estimatedDeliveryAt, deliveredAt);
  return { onTime: endsOnOrBefore(lateness), delayDays: daysIn(lateness) };
};

export const shipmentDecider: Decider<TrackShipment, ShipmentState, FulfillmentEvent> = {
  initialState: () => ({ dispatched: false, delivered: false }),
  decide: (c, state) => {
    const events: FulfillmentEvent[] = [];
    const delivered = c.deliveredAt !== null || c.orderStatus === 'delivered';
    const dispatched = delivered || c.dispatchedAt !== null || c.orderStatus === 'shipped';
    if (dispatched && !state.dispatched) {
      events.push({ type: 'ShipmentDispatched', data: { orderId: c.orderId, dispatchedAt: c.dispatchedAt } });
    }
    if (delivered && !state.delivered) {
      events.push({
        type: 'DeliveryCompleted',
        data: { orderId: c.orderId, deliveredAt: c.deliveredAt, estimatedDeliveryAt: c.estimatedDeliveryAt, ...deliveryOutcome(c.deliveredAt, c.estimatedDeliveryAt) },
      });
    }
    return accepted(...events);
  },
  evolve: (state, event) =>
    event.type === 'ShipmentDispatched' ? { ...state, dispatched: true } : { ...state, delivered: true },
  // Olist marks some orders shipped or delivered without the date: that step then has no known time.
  occurredAt: (event) => (event.type === 'ShipmentDispatched' ? event.data.dispatchedAt : event.data.deliveredAt),
};
