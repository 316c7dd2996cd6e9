export * from './event-schemas.js';
export * from './event-envelope.js';
