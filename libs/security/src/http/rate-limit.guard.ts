import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApplicationError } from '@olist/shared-kernel';
import type { SecuredRequest } from '../request-context.js';

export const RATE_LIMIT_PER_MINUTE = Symbol('RATE_LIMIT_PER_MINUTE');

/** More requests than the key's limit in the current minute. */
export class RateLimitedError extends ApplicationError {
  readonly code = 'AUTH.RATE_LIMITED';
  readonly kind = 'rate_limited';
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Requests per minute per API key (per client address for requests without one), in fixed one-minute
 * windows kept in memory (one process; several API processes each allow the limit). Runs after the key
 * guard, so a refused key never counts against a valid one. 429 with Retry-After beyond the limit.
 *
 * Not `@nestjs/throttler`: its CommonJS build `require`s Nest 12's ESM-only packages, which jest's module
 * runtime refuses on this Node version, so no test could run the app with it.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(RATE_LIMIT_PER_MINUTE) private readonly limit: number) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<SecuredRequest & { ip?: string }>();
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const tracker = request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip ?? 'unknown'}`;
    const now = Date.now();
    let window = this.windows.get(tracker);
    if (!window || now - window.startedAt >= 60_000) {
      if (this.windows.size > 100_000) this.prune(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(tracker, window);
    }
    window.count += 1;
    response.setHeader('X-RateLimit-Limit', String(this.limit));
    response.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.limit - window.count)));
    if (window.count <= this.limit) return true;
    const retryAfter = Math.ceil((window.startedAt + 60_000 - now) / 1000);
    response.setHeader('Retry-After', String(retryAfter));
    throw new RateLimitedError(`more than ${this.limit} requests in a minute: retry in ${retryAfter} s`, { limitPerMinute: this.limit, retryAfterSeconds: retryAfter });
  }

  private prune(now: number): void {
    for (const [tracker, window] of this.windows) if (now - window.startedAt >= 60_000) this.windows.delete(tracker);
  }
}
