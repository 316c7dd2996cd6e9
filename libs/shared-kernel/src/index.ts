export * from './events.js';
export * from './ids.js';
export * from './money.js';
export * from './zip-prefix.js';
export * from './address.js';
export * from './timestamps.js';
export * from './decider.js';
