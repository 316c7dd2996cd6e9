import { MartReadError, InvalidMartQueryError } from '@olist/analytics';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): JsonResponse;
  json(body: unknown): void;
}

const ERROR_NAMES = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' } as const;

/**
 * Mart read errors as HTTP answers, the same in the projector's internal endpoint and the public API (the
 * API's HTTP adapter turns them back into the same errors): 400 naming the parameter, 404 unknown mart,
 * 503 with Retry-After while the marts are not built or the projector is unreachable.
 */
@Catch(MartReadError)
export class MartReadErrorFilter implements ExceptionFilter {
  catch(error: MartReadError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (error.status === 503) response.setHeader('Retry-After', '1');
    response.status(error.status).json({
      statusCode: error.status,
      error: ERROR_NAMES[error.status],
      message: error.message,
      ...(error instanceof InvalidMartQueryError ? { parameter: error.parameter } : {}),
    });
  }
}
