export * from './port.js';
export * from './postgres/index.js';
