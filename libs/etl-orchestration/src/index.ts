export * from './events.js';
export * from './pipeline-run/pipeline-run.js';
export * from './ingestion-batch/ingestion-batch.js';
export * from './read-model/pipeline-runs.read-model.js';
export * from './read-model/quarantine.read-model.js';
export * from './read-model/quality-reports.read-model.js';
