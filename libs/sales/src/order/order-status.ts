/** Olist's order statuses, in lifecycle order, with the two exits last. */
export const ORDER_STATUSES = [
  'created', 'approved', 'invoiced', 'processing', 'shipped', 'delivered', 'canceled', 'unavailable',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);
export const isOrderStatus = (text: string): text is OrderStatus => STATUSES.has(text);

/** Statuses that imply the order went through invoicing. */
export const INVOICED_OR_LATER: ReadonlySet<OrderStatus> = new Set(['invoiced', 'processing', 'shipped', 'delivered']);

/**
 * The statuses by precedence, lowest first: an order whose events imply several statuses (in whatever
 * order a read model sees them) is in the highest. Lifecycle order, except that a cancellation outranks
 * everything, unavailability included (an order takes one exit, but a log is not bound to that rule).
 */
export const ORDER_STATUS_PRECEDENCE: ReadonlyArray<OrderStatus> = [...ORDER_STATUSES.filter((s) => s !== 'canceled'), 'canceled'];
