export * from './source-files.js';
export * from './field-reader.js';
export * from './row-commands.js';
export * from './wire.js';
export * from './record-defects.js';
