import { loadSettings, type Settings } from '@olist/config';
import { EventStoreDbEventStore, PostgresEventStore, UpcastingEventStore, type EventStore } from '@olist/event-store';
import { EVENT_SCHEMAS } from '@olist/event-catalog';
import { migrateReadModels } from './read-model-migrations.js';
import { createPgClient, createPgliteClient, type SqlClient } from '@olist/postgres';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EVENT_STORE, SETTINGS, SQL_CLIENT } from './tokens.js';

/**
 * The event store of the settings (on `sql` for the Postgres adapter, whose schema it migrates unless
 * `migrate` is false), behind the upcasters: every reader (command side, projectors) gets events in their
 * current schema version.
 */
export const openEventStore = async (settings: Settings, sql: SqlClient, { migrate = true } = {}): Promise<EventStore> => {
  let store: EventStore;
  if (settings.eventStore === 'eventstoredb') {
    store = EventStoreDbEventStore.connect(settings.eventStoreUrl!);
  } else {
    const postgres = new PostgresEventStore(sql);
    if (migrate) await postgres.migrate();
    store = postgres;
  }
  return new UpcastingEventStore(store, EVENT_SCHEMAS);
};

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
    useFactory: async (settings: Settings): Promise<SqlClient> => {
      const sql = settings.databaseUrl ? createPgClient(settings.databaseUrl) : await createPgliteClient(settings.pgliteDir);
      // The API queries the read models the projector writes: whichever process starts first migrates.
      await migrateReadModels(sql);
      return sql;
    },
  },
  {
    provide: EVENT_STORE,
    inject: [SETTINGS, SQL_CLIENT],
    useFactory: (settings: Settings, sql: SqlClient): Promise<EventStore> => openEventStore(settings, sql),
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
