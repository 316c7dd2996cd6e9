import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './domain/roles.js';

/** What security adds to a request: who made it (once authenticated) and what the audit trail must also keep. */
export interface SecuredRequest {
  principal?: Principal;
  /** The path and query parameters of the matched route, for the audit trail. */
  auditParams?: Record<string, unknown>;
  /** The route pattern that matched (`/v1/marts/:name`), for the audit trail. */
  auditRoute?: string;
  /** The SQL text of an ad-hoc query, kept in the audit trail. */
  auditSql?: string;
}

/** Marks the request's SQL text for its audit-log entry (`POST /v1/query`). */
export const recordAuditSql = (request: object, sql: string): void => {
  (request as SecuredRequest).auditSql = sql;
};

/** The authenticated principal of a request (set by the global guard before any handler runs). */
export const principalOf = (request: object): Principal | undefined => (request as SecuredRequest).principal;

/** The user a request acts as: the principal's name (what events record as their actor). */
export const actorOf = (request: object): string => principalOf(request)?.userName ?? 'anonymous';

interface RequestScope {
  apiKey?: string;
}
const scope = new AsyncLocalStorage<RequestScope>();

/** Runs the rest of a request's handling in its own scope (an HTTP middleware calls it first). */
export const runInRequestScope = (next: () => void): void => scope.run({}, next);

export const rememberRequestApiKey = (key: string): void => {
  const current = scope.getStore();
  if (current) current.apiKey = key;
};

/**
 * The API key of the request being handled, for calls the API makes on the caller's behalf to the projector
 * process (which checks the same key against the same database). Undefined outside a request.
 */
export const requestApiKey = (): string | undefined => scope.getStore()?.apiKey;
