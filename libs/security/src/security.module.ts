import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Settings } from '@olist/config';
import { SETTINGS, SQL_CLIENT } from '@olist/infrastructure';
import { createPgClient, type SqlClient } from '@olist/postgres';
import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditTrail } from './audit/audit-trail.js';
import { apiKeyPrefix, isApiKeyFormat } from './domain/api-keys.js';
import { IdentityStore } from './identity/identity-store.js';
import { CachedPrincipals } from './identity/principal-cache.js';
import { ApiKeyGuard, PRINCIPALS } from './http/api-key.guard.js';
import { AuditLogController, SecurityAdminController } from './http/security.controllers.js';
import { RATE_LIMIT_PER_MINUTE, RateLimitGuard } from './http/rate-limit.guard.js';

const BOOTSTRAP = Symbol('SECURITY_BOOTSTRAP');

/**
 * On the first start of an empty database, the `admin` user and its key: OLIST_DW_ADMIN_KEY when set
 * (automation), else a new key written once to OLIST_DW_ADMIN_KEY_FILE (default var/admin.key, mode 0600),
 * whose path (never the key) is logged. The audit trail is flushed on shutdown.
 */
@Injectable()
class SecurityLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Security');

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(BOOTSTRAP) private readonly bootstrap: boolean,
    private readonly identities: IdentityStore,
    private readonly trail: AuditTrail,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.bootstrap) return;
    const { adminKey, adminKeyFile } = this.settings;
    if (adminKey !== undefined && !isApiKeyFormat(adminKey)) throw new Error('OLIST_DW_ADMIN_KEY must be an olist-dw key: odw_ and 32+ characters of A-Z a-z 0-9 _ -');
    const installed = await this.identities.bootstrapAdmin(adminKey);
    if (installed === undefined) return;
    if (adminKey !== undefined) {
      this.logger.log(`empty database: user admin created with the key of OLIST_DW_ADMIN_KEY (${apiKeyPrefix(adminKey)}…)`);
      return;
    }
    mkdirSync(dirname(adminKeyFile), { recursive: true });
    writeFileSync(adminKeyFile, `${installed}\n`, { mode: 0o600, flag: 'w' });
    this.logger.warn(`empty database: user admin created; its API key is in ${adminKeyFile} (readable by this user only). Create other users and keys with npm run users / npm run keys.`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trail.close();
  }
}

/**
 * API keys, roles on every route (one global guard), rate limits per key and the append-only request audit
 * trail. `api`: this process is the API — it installs the first admin key on an empty database and serves
 * the users, keys and audit-log endpoints (the projector process only checks keys and records its requests).
 */
@Global()
@Module({})
export class SecurityModule {
  static forRoot(settings: Settings, { api }: { api: boolean }): DynamicModule {
    return {
      module: SecurityModule,
      controllers: api ? [SecurityAdminController, AuditLogController] : [],
      providers: [
        { provide: BOOTSTRAP, useValue: api },
        { provide: RATE_LIMIT_PER_MINUTE, useValue: settings.rateLimitPerMinute },
        { provide: IdentityStore, inject: [SQL_CLIENT], useFactory: (sql: SqlClient) => new IdentityStore(sql) },
        { provide: PRINCIPALS, inject: [IdentityStore], useFactory: (identities: IdentityStore) => new CachedPrincipals(identities) },
        {
          provide: AuditTrail,
          inject: [SQL_CLIENT],
          useFactory: (sql: SqlClient) => {
            const logger = new Logger('AuditTrail');
            const own = settings.auditDatabaseUrl ? createPgClient(settings.auditDatabaseUrl, { max: 2 }) : undefined;
            return new AuditTrail(own ?? sql, {
              onError: (error) => logger.error(`audit-log entries not written yet (retrying): ${error.message}`),
              onClose: own ? () => own.close() : undefined,
            });
          },
        },
        SecurityLifecycle,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [IdentityStore, PRINCIPALS, AuditTrail],
    };
  }
}
