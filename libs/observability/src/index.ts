export * from './olist-metrics.js';
export * from './metered-event-store.js';
export * from './http-metrics.js';
