export * from './events.js';
export * from './customer/customer.js';
export * from './geolocation/zip-code.js';
export * from './review/review.js';
