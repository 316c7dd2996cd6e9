/** DI tokens of the ports and settings the application is wired with. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const SQL_CLIENT = Symbol('SQL_CLIENT');
export const SETTINGS = Symbol('SETTINGS');
/** PersonalDataProtection: the data keys, sealing and opening people's personal fields (docs/personal-data.md). */
export const PERSONAL_DATA = Symbol('PERSONAL_DATA');
/** OlistMetrics: this process's Prometheus registry (`GET /metrics`). */
export const METRICS = Symbol('METRICS');
