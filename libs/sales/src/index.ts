export * from './events.js';
export * from './order/order-status.js';
export * from './order/order.js';
