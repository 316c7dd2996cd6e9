/** What kind of failure an error is, which the HTTP layer maps to a status (invalid 400, not_found 404, conflict 409, unavailable 503). */
export type ErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unavailable';

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
