export * from './mart-refresher.js';
export * from './mart-refresh-scheduler.js';
