export * from './port.js';
export * from './postgres/index.js';
export * from './eventstoredb/index.js';
export * from './upcasting.js';
export * from './projection.js';
export { CHECKPOINT_FORMAT, isCheckpoint } from './checkpoint-pair.js';
