import { STATUS_CODES } from 'node:http';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '@olist/event-store';
import { isConnectionFailure } from '@olist/postgres';
import { ApplicationError, type ErrorBody, type ErrorKind } from '@olist/shared-kernel';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

interface JsonResponse {
  readonly headersSent: boolean;
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): JsonResponse;
  json(body: unknown): void;
  end(): void;
}

interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  /** 503s that trying again later can cure: answered with `Retry-After: 1`. */
  readonly retryLater: boolean;
}

const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = { invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, rate_limited: 429, unavailable: 503 };

/**
 * Failures of the event store that posting the same request again later can cure (posting again is safe: event
 * ids are deterministic, nothing is appended twice):
 * - a command that kept racing concurrent writers on the same streams after every retry (on PostgreSQL nothing of
 *   it was appended; on EventStoreDB, which has no multi-stream transaction, some streams may have been);
 * - the event store could not serve the request now (EventStoreDB unavailable, not leader, deadline exceeded).
 */
const eventStoreAnswer = (error: WrongExpectedVersionError | EventStoreUnavailableError): ErrorAnswer => {
  const body: ErrorBody = error instanceof WrongExpectedVersionError
    ? {
        code: 'EVENT_STORE.CONCURRENT_WRITERS',
        message: `concurrent writers kept changing stream ${error.streamId}; post the batch again (nothing is appended twice)`,
        details: { streamId: error.streamId },
      }
    : { code: 'EVENT_STORE.UNAVAILABLE', message: `the event store is unavailable (${error.message}); post the batch again (nothing is appended twice)`, details: {} };
  return { status: HttpStatus.SERVICE_UNAVAILABLE, body, retryLater: true };
};

/**
 * Nest's own exceptions: the pipes' 400s (ValidationPipe's messages in `details.errors`), unknown routes,
 * the body parser's 413 (the loader splits a batch on it), and bodies a library chose (Terminus's health
 * report), which are kept in `details`.
 */
const httpExceptionAnswer = (exception: HttpException): ErrorAnswer => {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const standard = typeof response === 'string' || (typeof response === 'object' && response !== null && 'statusCode' in response);
  const said = typeof response === 'string' ? response : standard ? (response as { message?: unknown }).message : undefined;
  const messages = (Array.isArray(said) ? said : [said]).filter((m): m is string => typeof m === 'string' && m !== '');
  if (status === HttpStatus.BAD_REQUEST) {
    return { status, body: { code: 'REQUEST.INVALID', message: messages.join('; ') || 'invalid request', details: { errors: messages } }, retryLater: false };
  }
  const message = messages.join('; ') || STATUS_CODES[status] || `HTTP ${status}`;
  const details = standard ? {} : (response as Record<string, unknown>);
  return { status, body: { code: `REQUEST.${HttpStatus[status] ?? status}`, message, details }, retryLater: false };
};

/** The status and `{ code, message, details }` body that answer an error; undefined for an unexpected one (a 500). */
const errorAnswer = (error: unknown): ErrorAnswer | undefined => {
  if (error instanceof ApplicationError) {
    const status = STATUS_OF_KIND[error.kind];
    return { status, body: { code: error.code, message: error.message, details: error.details }, retryLater: error.kind === 'unavailable' };
  }
  if (error instanceof WrongExpectedVersionError || error instanceof EventStoreUnavailableError) return eventStoreAnswer(error);
  if (error instanceof HttpException) return httpExceptionAnswer(error);
  if (isConnectionFailure(error)) {
    // A restart or crash of PostgreSQL: the request changed nothing, or (a commit whose answer was lost) changed
    // what posting it again finds already done.
    const message = `the database is unavailable (${(error as Error).message}); try again (posting a batch again appends nothing twice)`;
    return { status: HttpStatus.SERVICE_UNAVAILABLE, body: { code: 'DATABASE.UNAVAILABLE', message, details: {} }, retryLater: true };
  }
  return undefined;
};

/**
 * The one exception filter of the API and the projector's endpoints: every error is answered
 * `{ code, message, details }` (docs/errors.md). An unexpected error is a 500 `INTERNAL` whose body says
 * nothing of it; it is logged.
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): void {
    let answer = errorAnswer(error);
    if (!answer) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      answer = { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { code: 'INTERNAL', message: 'internal error (logged by the server)', details: {} }, retryLater: false };
    }
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (response.headersSent) {
      response.end();
      return;
    }
    if (answer.retryLater) response.setHeader('Retry-After', '1');
    response.status(answer.status).json(answer.body);
  }
}
