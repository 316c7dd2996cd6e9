import { AuditModule } from '@olist/audit';
import { CommandSideModule } from '@olist/command-side';
import { loadSettings } from '@olist/config';
import { DashboardModule } from '@olist/dashboard';
import { InfrastructureModule } from '@olist/infrastructure';
import { HealthModule, MetricsModule, OperationsModule } from '@olist/operations';
import { ProjectorEndpointsModule } from '@olist/projector';
import { SECRET_LOG_PATHS, SecurityModule } from '@olist/security';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';

@Module({})
export class AppModule {
  /** The API; in embedded mode it also hosts the projector (PGlite and the DuckDB file have one owner). */
  static register(settings = loadSettings()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: settings.logLevel,
            redact: SECRET_LOG_PATHS,
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
          },
        }),
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(settings),
        SecurityModule.forRoot(settings, { api: true }),
        CommandSideModule,
        HealthModule,
        MetricsModule.register({ pipelineRuns: true }),
        OperationsModule,
        AuditModule,
        ProjectorEndpointsModule.register(settings),
        DashboardModule,
      ],
    };
  }
}
