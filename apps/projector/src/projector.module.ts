import type { Settings } from '@olist/config';
import { MartRefreshScheduler, ProjectorRunner, StarSchemaProjection } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore } from '@olist/event-store';
import { quarantineReadModel } from '@olist/data-quality';
import { pipelineRunsReadModel } from '@olist/etl-orchestration';
import { EVENT_STORE, migrateReadModels, SETTINGS, SQL_CLIENT } from '@olist/platform';
import { SqlReadModelProjection, type SqlClient } from '@olist/postgres';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

export const DUCKDB = Symbol('DUCKDB');
export const STAR_SCHEMA_PROJECTOR = Symbol('STAR_SCHEMA_PROJECTOR');
export const OPERATIONS_PROJECTOR = Symbol('OPERATIONS_PROJECTOR');
/** Every projector this module runs. */
export const PROJECTORS = Symbol('PROJECTORS');
/** The MartRefreshScheduler rebuilding the `mart` schema after projector batches (debounced). */
export const MART_REFRESH = Symbol('MART_REFRESH');

/** Starts the projectors with the application and stops them (after their batch in flight) on shutdown. */
@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');

  constructor(
    @Inject(PROJECTORS) private readonly runners: ReadonlyArray<ProjectorRunner>,
    @Inject(DUCKDB) private readonly duckdb: DuckDbDatabase,
    @Inject(MART_REFRESH) private readonly marts: MartRefreshScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const runner of this.runners) {
      await runner.start();
      this.logger.log(`${runner.name}: following the log after checkpoint ${runner.status().checkpoint ?? '(start)'}`);
    }
    this.marts.notify(); // the marts exist (and match the star schema) even before the first batch
  }

  async onApplicationShutdown(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
    await this.marts.stop();
    this.duckdb.close();
  }
}

@Module({
  providers: [
    { provide: DUCKDB, inject: [SETTINGS], useFactory: (settings: Settings) => DuckDbDatabase.open(settings.duckdbPath) },
    {
      provide: MART_REFRESH,
      inject: [DUCKDB],
      useFactory: (duckdb: DuckDbDatabase) => {
        const logger = new Logger('Marts');
        return new MartRefreshScheduler(duckdb, {
          onRefresh: (result) => logger.debug(`marts refreshed at checkpoint ${result.checkpoint ?? '(start)'} in ${result.durationMs} ms`),
          onError: (error) => logger.error(`mart refresh failed (marts keep their previous content): ${error.message}`),
        });
      },
    },
    {
      provide: STAR_SCHEMA_PROJECTOR,
      inject: [EVENT_STORE, DUCKDB, MART_REFRESH],
      useFactory: (store: EventStore, duckdb: DuckDbDatabase, marts: MartRefreshScheduler) => {
        const logger = new Logger('Projector');
        return new ProjectorRunner(store, new StarSchemaProjection(duckdb), {
          onBatch: (status, size) => {
            logger.debug(`applied ${size} events (total ${status.eventsProjected})`);
            marts.notify();
          },
        });
      },
    },
    {
      provide: OPERATIONS_PROJECTOR,
      inject: [EVENT_STORE, SQL_CLIENT],
      useFactory: (store: EventStore, sql: SqlClient) =>
        new ProjectorRunner(store, new SqlReadModelProjection('operational_read_models', sql, [pipelineRunsReadModel, quarantineReadModel], migrateReadModels)),
    },
    { provide: PROJECTORS, inject: [STAR_SCHEMA_PROJECTOR, OPERATIONS_PROJECTOR], useFactory: (...runners: ProjectorRunner[]) => runners },
    ProjectorLifecycle,
  ],
  exports: [STAR_SCHEMA_PROJECTOR, OPERATIONS_PROJECTOR, PROJECTORS, DUCKDB, MART_REFRESH],
})
export class ProjectorModule {}
