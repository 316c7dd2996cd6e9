export * from './tokens.js';
export * from './infrastructure.module.js';
export * from './event-schemas.js';
export * from './read-model-migrations.js';
