export * from './projection.js';
export * from './projector-runner.js';
export * from './verification.js';
export * from './star-schema/index.js';
export * from './marts/index.js';
export * from './rebuild/index.js';
