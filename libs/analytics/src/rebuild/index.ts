export * from './replay.js';
export * from './rebuild.js';
