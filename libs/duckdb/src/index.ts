export * from './database.js';
export * from './values.js';
export * from './migrations.js';
export * from './storage-failure.js';
