export * from './tokens.js';
export * from './infrastructure.module.js';
