export * from './verification.js';
export * from './star-schema/index.js';
export * from './marts/index.js';
export * from './sandbox/index.js';
