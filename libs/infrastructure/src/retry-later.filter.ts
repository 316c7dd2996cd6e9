import { EventStoreUnavailableError, WrongExpectedVersionError } from '@olist/event-store';
import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): JsonResponse;
  json(body: unknown): void;
}

/**
 * Failures that posting the same batch again later can cure, answered 503 with Retry-After (posting again is safe:
 * event ids are deterministic, nothing is appended twice):
 * - a batch that kept racing concurrent writers on the same streams after every retry (on PostgreSQL nothing of
 *   it was appended; on EventStoreDB, which has no multi-stream transaction, some streams may have been);
 * - the event store could not serve the request now (EventStoreDB unavailable, not leader, deadline exceeded).
 */
@Catch(WrongExpectedVersionError, EventStoreUnavailableError)
export class RetryLaterFilter implements ExceptionFilter {
  catch(error: WrongExpectedVersionError | EventStoreUnavailableError, host: ArgumentsHost): void {
    const message = error instanceof WrongExpectedVersionError
      ? `concurrent writers kept changing stream ${error.streamId}; post the batch again (nothing is appended twice)`
      : `the event store is unavailable (${error.message}); post the batch again (nothing is appended twice)`;
    host.switchToHttp().getResponse<JsonResponse>()
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('Retry-After', '1')
      .json({ statusCode: 503, error: 'Service Unavailable', message });
  }
}
