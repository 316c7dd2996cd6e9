export * from './quarantine.read-model.js';
