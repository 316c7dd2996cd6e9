export * from './tokens.js';
export * from './infrastructure.module.js';
export * from './event-schemas.js';
export * from './read-model-migrations.js';
export * from './event-envelope.js';
export * from './pipeline-runs.js';
export * from './operational-read-models.js';
