/** DI tokens of the ports and settings the application is wired with. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const SQL_CLIENT = Symbol('SQL_CLIENT');
export const SETTINGS = Symbol('SETTINGS');
