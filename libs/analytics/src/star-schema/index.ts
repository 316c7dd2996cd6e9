export * from './star-schema-projection.js';
export { CALENDAR_FROM_YEAR, CALENDAR_TO_YEAR, CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR } from './calendar.js';
export * from './surrogate-key.js';
