export * from './mart-refresher.js';
export * from './mart-refresh-scheduler.js';
export * from './mart-reader.js';
export * from './mart-page-cache.js';
export * from './duckdb-mart-reader.js';
export * from './lineage.js';
export * from './mart-parquet.js';
