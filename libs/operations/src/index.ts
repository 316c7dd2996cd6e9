export * from './operations.module.js';
export * from './health.module.js';
export * from './operations-errors.js';
