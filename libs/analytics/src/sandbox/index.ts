export * from './query-runner.js';
export * from './sandbox-instance.js';
export * from './query-snapshots.js';
export * from './sandbox-query-runner.js';
export { REFUSED_FUNCTIONS } from './select-statement.js';
