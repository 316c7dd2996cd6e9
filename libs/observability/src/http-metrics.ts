import type { OlistMetrics } from './olist-metrics.js';

interface HttpRequest {
  readonly method: string;
  /** Set by Express on the request once a route matched: its pattern (`/v1/marts/:name`), never the path. */
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: string;
}

interface HttpResponse {
  readonly statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}

/** Express middleware: times every request, labelled by the matched route's pattern (`unmatched` when none). */
export const httpMetricsMiddleware = (metrics: OlistMetrics) => (request: HttpRequest, response: HttpResponse, next: () => void): void => {
  const end = metrics.httpRequestDuration.startTimer();
  response.once('finish', () => {
    const path = request.route?.path;
    const route = typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : 'unmatched';
    end({ method: request.method, route, status_code: String(response.statusCode) });
  });
  next();
};
