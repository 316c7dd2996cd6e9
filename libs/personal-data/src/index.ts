export * from './domain/personal-data.js';
export * from './crypto/field-cipher.js';
export * from './key-store/master-key.js';
export * from './key-store/data-key-store.js';
export * from './personal-data-protection.js';
export * from './personal-data-event-store.js';
