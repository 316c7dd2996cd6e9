/**
 * What kind of failure an error is, which the HTTP layer maps to a status (invalid 400, unauthenticated 401,
 * forbidden 403, not_found 404, conflict 409, rate_limited 429, unavailable 503).
 */
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

/**
 * A typed failure of a domain rule or an application service, with a stable code (`CONTEXT.WHAT`, e.g.
 * `INGESTION.UNKNOWN_RUN`) that clients can rely on; the HTTP layer answers `{ code, message, details }`.
 */
export abstract class ApplicationError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The body of every error answer of the HTTP API and of the projector's internal endpoints. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** `json` as an {@link ErrorBody}, for the HTTP clients of those endpoints; undefined if it is not one. */
export const errorBodyOf = (json: unknown): ErrorBody | undefined => {
  if (!json || typeof json !== 'object') return undefined;
  const { code, message, details } = json as Partial<Record<keyof ErrorBody, unknown>>;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return { code, message, details: details && typeof details === 'object' ? (details as Record<string, unknown>) : {} };
};
