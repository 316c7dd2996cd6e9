export * from './events.js';
export * from './event-schemas.js';
export * from './event-envelope.js';
