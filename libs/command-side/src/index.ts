export * from './command-side.module.js';
export * from './pipeline-runs/pipeline-run.service.js';
