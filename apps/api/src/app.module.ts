import { loadSettings } from '@olist/config';
import { InfrastructureModule } from '@olist/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { HealthModule } from './health/health.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { MartsModule } from './marts/marts.module.js';
import { AdminModule } from './admin/admin.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { RemoteProjectionsModule } from './projections/remote-projections.module.js';

@Module({})
export class AppModule {
  /** The API; in embedded mode it also hosts the projector (PGlite and the DuckDB file have one owner). */
  static register(settings = loadSettings()): DynamicModule {
    const inProcessProjector = settings.projector === 'in-process';
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: settings.logLevel,
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
          },
        }),
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(settings),
        IngestionModule,
        HealthModule,
        OperationsModule,
        MartsModule.register(settings),
        AdminModule.register(settings),
        inProcessProjector ? ProjectionsModule : RemoteProjectionsModule.register(settings),
      ],
    };
  }
}
