import 'reflect-metadata';
import { loadSettings, type Settings } from '@olist/config';
import { configureHttpApp, InfrastructureModule } from '@olist/infrastructure';
import { MetricsModule } from '@olist/operations';
import { ProjectorHttpModule } from '@olist/projector';
import { SECRET_LOG_PATHS, SecurityModule, secureHttpApp } from '@olist/security';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, LoggerModule } from 'nestjs-pino';

@Module({})
class ProjectorAppModule {
  static register(settings: Settings): DynamicModule {
    return {
      module: ProjectorAppModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { level: settings.logLevel, autoLogging: false, redact: SECRET_LOG_PATHS } }),
        InfrastructureModule.forRoot(settings),
        SecurityModule.forRoot(settings, { api: false }),
        ProjectorHttpModule,
        MetricsModule.register({ pipelineRuns: false }),
      ],
    };
  }
}

/**
 * The projector as its own process (server mode): owns the DuckDB file and follows the event store; being
 * the only process that may open the file, it also answers the mart reads (internal HTTP, for the API).
 */
export const createProjectorApp = async (settings = loadSettings()): Promise<NestExpressApplication> => {
  const app = await NestFactory.create<NestExpressApplication>(ProjectorAppModule.register(settings), { bufferLogs: true });
  secureHttpApp(app, settings);
  return configureHttpApp(app, { title: 'olist-dw projector (internal)' });
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const settings = loadSettings();
  const app = await createProjectorApp(settings);
  await app.listen(settings.projectorPort, settings.projectorHost);
  const { port } = app.getHttpServer().address() as { port: number };
  app.get(Logger).log(`olist-dw projector on http://${settings.projectorHost}:${port} (DuckDB ${settings.duckdbPath})`);
}
