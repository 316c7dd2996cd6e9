import { SetMetadata } from '@nestjs/common';
import type { Role } from './domain/roles.js';

export const ROLES_METADATA = 'olist-dw:roles';
export const PUBLIC_METADATA = 'olist-dw:public';

/**
 * The roles a route admits (admin is always admitted). Every route declares its roles, or is `@Public()`:
 * the global guard refuses a route that declares neither, and the authorization-matrix test fails on it.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_METADATA, roles);

/** A route anyone may call without a key (`/health`). */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
