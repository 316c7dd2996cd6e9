import type { DomainEvent } from '@olist/shared-kernel';

/** Stream `shipment-<order_id>`. Handed to the carrier; the date is missing for some shipped orders. */
export type ShipmentDispatched = DomainEvent<'ShipmentDispatched', {
  readonly orderId: string;
  readonly dispatchedAt: string | null;
}>;

/**
 * The customer received the order. On-time is `date(deliveredAt) <= date(estimatedDeliveryAt)`;
 * delayDays is `date(deliveredAt) - date(estimatedDeliveryAt)` in whole days (negative when early).
 * All three are null when Olist marks the order delivered without a delivery date.
 */
export type DeliveryCompleted = DomainEvent<'DeliveryCompleted', {
  readonly orderId: string;
  readonly deliveredAt: string | null;
  readonly estimatedDeliveryAt: string | null;
  readonly onTime: boolean | null;
  readonly delayDays: number | null;
}>;

export type FulfillmentEvent = ShipmentDispatched | DeliveryCompleted;
