import { loadSettings, type Settings } from '@olist/config';
import { PostgresEventStore, UpcastingEventStore, type EventStore } from '@olist/event-store';
import { EVENT_SCHEMAS } from './event-schemas.js';
import { migrateReadModels } from './read-model-migrations.js';
import { createPgClient, createPgliteClient, type SqlClient } from '@olist/postgres';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EVENT_STORE, SETTINGS, SQL_CLIENT } from './tokens.js';

/** Closes the stores when the application shuts down (projector first: it is stopped by its own module). */
@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.sql.close();
  }
}

const PROVIDERS = [
  { provide: SETTINGS, inject: [ConfigService], useFactory: (config: ConfigService): Settings => config.getOrThrow<Settings>('settings') },
  {
    provide: SQL_CLIENT,
    inject: [SETTINGS],
    useFactory: (settings: Settings): Promise<SqlClient> =>
      settings.databaseUrl ? Promise.resolve(createPgClient(settings.databaseUrl)) : createPgliteClient(settings.pgliteDir),
  },
  {
    provide: EVENT_STORE,
    inject: [SQL_CLIENT],
    useFactory: async (sql: SqlClient): Promise<EventStore> => {
      const store = new PostgresEventStore(sql);
      await store.migrate();
      return store;
    },
  },
  StoreLifecycle,
];

/** The stores behind their ports, from the settings (by default read from the environment). */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(settings: Settings = loadSettings()): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, cache: true, ignoreEnvFile: true, load: [() => ({ settings })] })],
      providers: PROVIDERS,
      exports: [SETTINGS, SQL_CLIENT, EVENT_STORE],
    };
  }
}
