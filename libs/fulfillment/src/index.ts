export * from './events.js';
export * from './shipment/shipment.js';
