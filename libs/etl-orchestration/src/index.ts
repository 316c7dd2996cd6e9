export * from './events.js';
export * from './pipeline-run/pipeline-run.js';
