export * from './source-files.js';
