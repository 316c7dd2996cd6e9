import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { PUBLIC_METADATA, ROLES_METADATA } from '../access.decorators.js';
import { isApiKeyFormat } from '../domain/api-keys.js';
import { admits, type Principal, type Role } from '../domain/roles.js';
import { rememberRequestApiKey, type SecuredRequest } from '../request-context.js';
import { ForbiddenError, InvalidApiKeyError, MalformedApiKeyError, MissingApiKeyError, UndeclaredRouteError } from './auth.errors.js';

export const PRINCIPALS = Symbol('PRINCIPALS');

/** Looks a key up (with a short cache: a revoked key stops working within its TTL). */
export interface PrincipalLookup {
  principalOf(key: string): Promise<Principal | undefined>;
}

interface IncomingRequest extends SecuredRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly params?: Record<string, unknown>;
  readonly query?: Record<string, unknown>;
}

/** The key of a request: `Authorization: Bearer <key>`, or `X-API-Key: <key>`. */
const keyOf = (request: IncomingRequest): string | undefined => {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new MalformedApiKeyError('the Authorization header must be "Bearer <API key>"');
    return match[1]!;
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header.trim();
  if (authorization !== undefined || header !== undefined) throw new MalformedApiKeyError('give one API key: Authorization: Bearer <key>');
  return undefined;
};

const routeOf = (reflector: Reflector, context: ExecutionContext): string => {
  const join = (...parts: Array<string | undefined>) => `/${parts.filter((p) => p && p !== '/').map((p) => p!.replace(/^\/+|\/+$/g, '')).join('/')}`;
  return join(reflector.get<string>(PATH_METADATA, context.getClass()), reflector.get<string>(PATH_METADATA, context.getHandler()));
};

/**
 * The one global guard: every route is `@Public()` or declares its `@Roles()`; anything else is refused.
 * No key or a bad key: 401; a role the route does not admit: 403. The principal is kept on the request
 * (the actor of the events it causes, its audit-log entry).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(PRINCIPALS) private readonly principals: PrincipalLookup,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<IncomingRequest>();
    request.auditRoute = routeOf(this.reflector, context);
    request.auditParams = { ...(request.params ?? {}), ...(request.query ?? {}) };
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const admitted = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
    if (!admitted) throw new UndeclaredRouteError(`${request.auditRoute} declares no roles: refused`);
    const key = keyOf(request);
    if (key === undefined) throw new MissingApiKeyError('an API key is needed: Authorization: Bearer <key>');
    if (!isApiKeyFormat(key)) throw new MalformedApiKeyError('that is not an olist-dw API key (odw_…)');
    const principal = await this.principals.principalOf(key);
    if (!principal) throw new InvalidApiKeyError('the API key is unknown, revoked or expired, or its user is disabled');
    request.principal = principal;
    rememberRequestApiKey(key);
    if (!admits(admitted, principal.role)) {
      throw new ForbiddenError(`role ${principal.role} may not call ${request.auditRoute} (admitted: admin, ${admitted.join(', ')})`, {
        role: principal.role, admitted: ['admin', ...admitted],
      });
    }
    return true;
  }
}
