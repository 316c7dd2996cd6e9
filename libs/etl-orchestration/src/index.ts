export * from './events.js';
export * from './pipeline-run/pipeline-run.js';
export * from './read-model/pipeline-runs.read-model.js';
