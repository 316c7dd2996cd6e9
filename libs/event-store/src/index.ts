export * from './port.js';
export * from './postgres/index.js';
export * from './eventstoredb/index.js';
export * from './upcasting.js';
export * from './projection.js';
export { isCheckpoint } from './checkpoint-pair.js';
