import type { Settings } from '@olist/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { isApiKeyFormat } from '../domain/api-keys.js';
import { runInRequestScope, type SecuredRequest } from '../request-context.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { PRINCIPALS, type PrincipalLookup } from './api-key.guard.js';

/** Log paths that may hold a key: pino redacts them (both apps' HTTP loggers). */
export const SECRET_LOG_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

interface ExpressRequest extends SecuredRequest {
  readonly method: string;
  readonly originalUrl: string;
  readonly ip?: string;
  readonly id?: unknown;
  readonly query?: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
}
interface ExpressResponse {
  statusCode: number;
  once(event: 'close', listener: () => void): unknown;
  status(code: number): ExpressResponse;
  json(body: unknown): void;
}
type Next = () => void;

/**
 * What every HTTP process of ours does before any route: security headers (helmet), CORS closed unless
 * CORS_ORIGINS names origins, one audit-log entry per request (refused ones included, written when the
 * answer is sent), and `/docs` behind a key unless DOCS_PUBLIC. Call it before `configureHttpApp`.
 */
export const secureHttpApp = (app: NestExpressApplication, settings: Settings): void => {
  // Not `upgrade-insecure-requests`: over plain HTTP (a private network, the compose stack) it would send the
  // dashboard's scripts and API calls to an https:// that is not there. TLS, where used, is the proxy's.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (settings.corsOrigins.length > 0) app.enableCors({ origin: [...settings.corsOrigins], credentials: false });
  const trail = app.get(AuditTrail);
  app.use((request: ExpressRequest, response: ExpressResponse, next: Next) => {
    const started = performance.now();
    response.once('close', () => {
      const principal = request.principal;
      trail.record({
        at: new Date(Date.now() - (performance.now() - started)).toISOString(),
        requestId: request.id === undefined ? null : String(request.id),
        userName: principal?.userName ?? null,
        role: principal?.role ?? null,
        keyPrefix: principal?.keyPrefix ?? null,
        method: request.method,
        route: request.auditRoute ?? null,
        path: request.originalUrl.split('?')[0] ?? request.originalUrl,
        params: request.auditParams ?? { ...(request.query ?? {}) },
        sql: request.auditSql ?? null,
        status: response.statusCode,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        client: request.ip ?? null,
      });
    });
    runInRequestScope(next);
  });
  if (!settings.docsPublic) {
    const principals = app.get<PrincipalLookup>(PRINCIPALS);
    app.use('/docs', (request: ExpressRequest, response: ExpressResponse, next: Next) => {
      const header = request.headers.authorization;
      const key = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
      if (!key || !isApiKeyFormat(key)) return response.status(401).json({ code: 'AUTH.MISSING_KEY', message: 'DOCS_PUBLIC=false: /docs needs an API key', details: {} });
      void principals.principalOf(key).then((principal) => {
        if (!principal) return response.status(401).json({ code: 'AUTH.INVALID_KEY', message: 'the API key is unknown, revoked or expired', details: {} });
        request.principal = principal;
        next();
      }, next);
    });
  }
};
