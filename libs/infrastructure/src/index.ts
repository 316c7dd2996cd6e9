export * from './tokens.js';
export * from './infrastructure.module.js';
export * from './read-model-migrations.js';
export * from './http-errors.filter.js';
export * from './http-app.js';
export * from './path-param.pipe.js';
export * from './json-depth.pipe.js';
