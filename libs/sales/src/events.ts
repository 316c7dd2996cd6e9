import type { DomainEvent, Centavos } from '@olist/shared-kernel';

/** Stream `order-<order_id>`. */
export type OrderPlaced = DomainEvent<'OrderPlaced', {
  readonly orderId: string;
  readonly customerId: string;
  readonly purchasedAt: string;
  readonly estimatedDeliveryAt: string | null;
}>;
export type OrderApproved = DomainEvent<'OrderApproved', { readonly orderId: string; readonly approvedAt: string }>;
/** Olist has no invoice timestamp: the status says the order reached invoicing. */
export type OrderInvoiced = DomainEvent<'OrderInvoiced', { readonly orderId: string }>;
export type OrderProcessingStarted = DomainEvent<'OrderProcessingStarted', { readonly orderId: string }>;
export type OrderCancelled = DomainEvent<'OrderCancelled', { readonly orderId: string }>;
export type OrderMarkedUnavailable = DomainEvent<'OrderMarkedUnavailable', { readonly orderId: string }>;

export type OrderItemAdded = DomainEvent<'OrderItemAdded', {
  readonly orderId: string;
  readonly orderItemId: number;
  readonly productId: string;
  readonly sellerId: string;
  readonly shippingLimitAt: string;
  readonly price: Centavos;
  readonly freight: Centavos;
}>;

export type PaymentReceived = DomainEvent<'PaymentReceived', {
  readonly orderId: string;
  readonly paymentSequential: number;
  readonly paymentType: string;
  readonly installments: number;
  readonly value: Centavos;
}>;

/** The orders file changed an order's customer, purchase time or delivery estimate (SCD type 1 downstream). */
export type OrderPlacementCorrected = DomainEvent<'OrderPlacementCorrected', OrderPlaced['data']>;
/** The items file changed a recorded item: its new values (SCD type 1 downstream). */
export type OrderItemCorrected = DomainEvent<'OrderItemCorrected', OrderItemAdded['data']>;
/** The payments file changed a recorded payment: its new values (SCD type 1 downstream). */
export type PaymentCorrected = DomainEvent<'PaymentCorrected', PaymentReceived['data']>;

export type SalesEvent =
  | OrderPlaced
  | OrderPlacementCorrected
  | OrderItemCorrected
  | PaymentCorrected
  | OrderApproved
  | OrderInvoiced
  | OrderProcessingStarted
  | OrderCancelled
  | OrderMarkedUnavailable
  | OrderItemAdded
  | PaymentReceived;
