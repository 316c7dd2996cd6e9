export * from './operations.module.js';
export * from './health.module.js';
export * from './operations-errors.js';
export * from './metrics.module.js';
export * from './backup/backup.js';
