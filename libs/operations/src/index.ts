export * from './operations.module.js';
export * from './health.module.js';
