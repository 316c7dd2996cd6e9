import type { Settings } from '@olist/config';
import { ProjectorRunner, StarSchemaProjection } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE, SETTINGS } from '@olist/platform';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

export const DUCKDB = Symbol('DUCKDB');
export const STAR_SCHEMA_PROJECTOR = Symbol('STAR_SCHEMA_PROJECTOR');

/** Starts the star-schema projector with the application and stops it (after its batch in flight) on shutdown. */
@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');

  constructor(
    @Inject(STAR_SCHEMA_PROJECTOR) private readonly runner: ProjectorRunner,
    @Inject(DUCKDB) private readonly duckdb: DuckDbDatabase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.logger.log(`projecting into ${this.duckdb.path} after checkpoint ${this.runner.status().checkpoint ?? '(start)'}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.duckdb.close();
  }
}

@Module({
  providers: [
    { provide: DUCKDB, inject: [SETTINGS], useFactory: (settings: Settings) => DuckDbDatabase.open(settings.duckdbPath) },
    {
      provide: STAR_SCHEMA_PROJECTOR,
      inject: [EVENT_STORE, DUCKDB],
      useFactory: (store: EventStore, duckdb: DuckDbDatabase) => {
        const logger = new Logger('Projector');
        return new ProjectorRunner(store, new StarSchemaProjection(duckdb), {
          onBatch: (status, size) => logger.debug(`applied ${size} events (total ${status.eventsProjected})`),
        });
      },
    },
    ProjectorLifecycle,
  ],
  exports: [STAR_SCHEMA_PROJECTOR, DUCKDB],
})
export class ProjectorModule {}
