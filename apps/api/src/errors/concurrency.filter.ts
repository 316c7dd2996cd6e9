import { WrongExpectedVersionError } from '@olist/event-store';
import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): JsonResponse;
  json(body: unknown): void;
}

/**
 * A batch that kept racing concurrent writers on the same streams after every retry: nothing of it was
 * appended, and posting it again is safe (event ids are deterministic), so answer 503 with Retry-After.
 */
@Catch(WrongExpectedVersionError)
export class ConcurrencyConflictFilter implements ExceptionFilter {
  catch(error: WrongExpectedVersionError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<JsonResponse>()
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .setHeader('Retry-After', '1')
      .json({ statusCode: 503, error: 'Service Unavailable', message: `concurrent writers kept changing stream ${error.streamId}; nothing was appended, post the batch again` });
  }
}
