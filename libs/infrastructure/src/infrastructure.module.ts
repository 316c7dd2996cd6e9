import { loadSettings, type Settings } from '@olist/config';
import { EventStoreDbEventStore, PostgresEventStore, UpcastingEventStore, type EventStore } from '@olist/event-store';
import { EVENT_SCHEMAS } from '@olist/event-catalog';
import { migrateReadModels } from './read-model-migrations.js';
import { MeteredEventStore, OlistMetrics } from '@olist/observability';
import { createPgClient, createPgliteClient, PgSqlClient, type SqlClient } from '@olist/postgres';
import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EVENT_STORE, METRICS, PERSONAL_DATA, SETTINGS, SQL_CLIENT } from './tokens.js';
import { DataKeyStore, ERASURES_STREAM, loadMasterKey, PersonalDataEventStore, PersonalDataProtection, type PersonalDataErased } from '@olist/personal-data';

/**
 * People's data keys, in `sql`'s key store, under the settings' master key (generated into the master key file
 * on first start when OLIST_DW_MASTER_KEY is not set).
 */
export const openPersonalDataProtection = async (settings: Settings, sql: SqlClient): Promise<PersonalDataProtection> => {
  const master = loadMasterKey(settings.masterKey, settings.masterKeyFile);
  const logger = new Logger('PersonalData');
  if (master.source === 'generated') logger.log(`generated the master key that wraps people's data keys into ${master.file} (mode 0600): back it up apart from the database`);
  if (master.warning) logger.warn(master.warning);
  return new PersonalDataProtection(await DataKeyStore.open(sql, master.key));
};

/**
 * The event store of the settings (on `sql` for the Postgres adapter, whose schema it migrates unless
 * `migrate` is false): people's personal fields sealed on append and opened on read (`protection`, by default
 * from the settings), then the upcasters: every reader (command side, projectors) gets events in their current
 * schema version. With `metrics`, the appends are counted and timed beneath the upcasters (whose `stored` is then the
 * metered store: auditors' raw reads stay raw).
 */
export const openEventStore = async (
  settings: Settings,
  sql: SqlClient,
  { migrate = true, protection, metrics }: { migrate?: boolean; protection?: PersonalDataProtection; metrics?: OlistMetrics } = {},
): Promise<EventStore> => {
  let store: EventStore;
  if (settings.eventStore === 'eventstoredb') {
    store = EventStoreDbEventStore.connect(settings.eventStoreUrl!);
  } else {
    const postgres = new PostgresEventStore(sql);
    if (migrate) await postgres.migrate();
    store = postgres;
  }
  const personalData = protection ?? (await openPersonalDataProtection(settings, sql));
  // The log is the record of erasures: a key-store backup restored from before one must not bring keys back.
  const erasures = (await store.readStream(ERASURES_STREAM)).map((e) => e.data as PersonalDataErased['data']);
  const reErased = await personalData.keys.reconcile(erasures);
  if (reErased > 0) new Logger('PersonalData').warn(`erased ${reErased} data keys again that the log records as erased (a restored key store?)`);
  const sealed = new PersonalDataEventStore(store, personalData);
  return new UpcastingEventStore(metrics ? new MeteredEventStore(sealed, metrics) : sealed, EVENT_SCHEMAS);
};

/** At each scrape: whether the event store and the database answer, and the PostgreSQL pool's connections. */
const watchStores = (metrics: OlistMetrics, store: EventStore, sql: SqlClient): void => {
  const answers = (probe: () => Promise<unknown>) => probe().then(() => 1, () => 0);
  metrics.onScrape(async () => metrics.up.set({ component: 'event_store' }, await answers(() => store.readAll({ maxCount: 1 }))));
  metrics.onScrape(async () => metrics.up.set({ component: 'database' }, await answers(() => sql.query('SELECT 1'))));
  if (sql instanceof PgSqlClient) {
    metrics.poolMax.set(sql.pool.options.max ?? 10);
    metrics.onScrape(() => {
      metrics.poolConnections.set({ state: 'total' }, sql.pool.totalCount);
      metrics.poolConnections.set({ state: 'idle' }, sql.pool.idleCount);
      metrics.poolConnections.set({ state: 'waiting' }, sql.pool.waitingCount);
    });
  }
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
    provide: PERSONAL_DATA,
    inject: [SETTINGS, SQL_CLIENT],
    useFactory: (settings: Settings, sql: SqlClient): Promise<PersonalDataProtection> => openPersonalDataProtection(settings, sql),
  },
  { provide: METRICS, useFactory: () => new OlistMetrics() },
  {
    provide: EVENT_STORE,
    inject: [SETTINGS, SQL_CLIENT, PERSONAL_DATA, METRICS],
    useFactory: async (settings: Settings, sql: SqlClient, protection: PersonalDataProtection, metrics: OlistMetrics): Promise<EventStore> => {
      const store = await openEventStore(settings, sql, { protection, metrics });
      watchStores(metrics, store, sql);
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
      exports: [SETTINGS, SQL_CLIENT, EVENT_STORE, PERSONAL_DATA, METRICS],
    };
  }
}
