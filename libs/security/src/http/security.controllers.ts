import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../access.decorators.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { principalOf } from '../request-context.js';
import { IdentityStore } from '../identity/identity-store.js';
import { CachedPrincipals } from '../identity/principal-cache.js';
import { PRINCIPALS } from './api-key.guard.js';
import { AddUserDto, AuditLogQueryDto, CreateKeyDto, USER_NAME } from './security.dto.js';
import { ApplicationError } from '@olist/shared-kernel';

class InvalidNameError extends ApplicationError {
  readonly code = 'REQUEST.INVALID';
  readonly kind = 'invalid';
}
const userName = (name: string): string => {
  if (!USER_NAME.test(name)) throw new InvalidNameError(`${name.slice(0, 100)}: not a user name`, { parameter: 'name' });
  return name;
};
const keyRef = (key: string): string => {
  if (!/^(odw_[A-Za-z0-9_-]{8}|[0-9a-f-]{36})$/.test(key)) throw new InvalidNameError('give a key id (uuid) or its prefix (odw_ and 8 characters)', { parameter: 'key' });
  return key;
};

/** Users and API keys (admins only). A key is shown once, in the answer that creates it. */
@ApiTags('security')
@ApiBearerAuth()
@Controller('v1/admin')
@Roles()
export class SecurityAdminController {
  constructor(
    private readonly identities: IdentityStore,
    @Inject(PRINCIPALS) private readonly principals: CachedPrincipals,
  ) {}

  @Get('users')
  @ApiOperation({ summary: 'The users and their roles' })
  async users() {
    return { users: await this.identities.listUsers() };
  }

  @Post('users')
  @ApiOperation({ summary: 'Add a user with a role' })
  addUser(@Body() body: AddUserDto) {
    return this.identities.addUser(body.name, body.role);
  }

  @Post('users/:name/disable')
  @HttpCode(200)
  @ApiOperation({ summary: "Disable a user: every key of theirs stops working (the user's audit trail stays)" })
  async disableUser(@Param('name') name: string) {
    await this.identities.disableUser(userName(name));
    this.principals.clear();
    return { user: name, disabled: true };
  }

  @Get('keys')
  @ApiOperation({ summary: 'API keys (prefix, owner, expiry, revocation; never the key)' })
  async keys(@Query('user') user?: string) {
    return { keys: await this.identities.listKeys(user === undefined ? undefined : userName(user)) };
  }

  @Post('keys')
  @ApiOperation({ summary: 'Create an API key for a user: the answer holds the key, shown this once' })
  createKey(@Body() body: CreateKeyDto) {
    return this.identities.createKey(body.user, { description: body.description, expiresAt: body.expiresAt });
  }

  @Post('keys/:key/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key, by id or prefix' })
  async revokeKey(@Param('key') key: string) {
    const revoked = await this.identities.revokeKey(keyRef(key));
    this.principals.clear();
    return revoked;
  }
}

/** The request audit trail: every user reads their own entries; admins and auditors read all (row-level security). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit/log')
export class AuditLogController {
  constructor(private readonly trail: AuditTrail) {}

  @Get()
  @Roles('loader', 'analyst', 'auditor', 'viewer')
  @ApiOperation({ summary: 'Audit-log entries (who, what, from where, with what answer), newest first; filters user, route, from, to' })
  async read(@Query() query: AuditLogQueryDto, @Req() request: object) {
    await this.trail.flush();
    const { total, entries } = await this.trail.read(principalOf(request)!, query);
    return { total, limit: query.limit, offset: query.offset, entries };
  }
}
