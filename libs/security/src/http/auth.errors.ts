import { ApplicationError } from '@olist/shared-kernel';

/** No `Authorization: Bearer <key>` (or `X-API-Key`) header. */
export class MissingApiKeyError extends ApplicationError {
  readonly code = 'AUTH.MISSING_KEY';
  readonly kind = 'unauthenticated';
}
/** The header is there but holds no key of the right form. */
export class MalformedApiKeyError extends ApplicationError {
  readonly code = 'AUTH.MALFORMED_KEY';
  readonly kind = 'unauthenticated';
}
/** Unknown, revoked or expired key, or its user is disabled (one answer: which one is not said). */
export class InvalidApiKeyError extends ApplicationError {
  readonly code = 'AUTH.INVALID_KEY';
  readonly kind = 'unauthenticated';
}
/** The key's role is not admitted by the route. */
export class ForbiddenError extends ApplicationError {
  readonly code = 'AUTH.FORBIDDEN';
  readonly kind = 'forbidden';
}
/** A route that declares no roles: refused, so that nothing is open by accident. */
export class UndeclaredRouteError extends ApplicationError {
  readonly code = 'AUTH.UNDECLARED_ROUTE';
  readonly kind = 'forbidden';
}
