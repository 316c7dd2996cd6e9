export * from './checkpoint.js';
export * from './eventstoredb-event-store.js';
export type { ReconnectOptions } from './subscription.js';
