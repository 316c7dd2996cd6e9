import 'reflect-metadata';
import { loadSettings } from '@olist/config';
import { InfrastructureModule } from '@olist/platform';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger, LoggerModule } from 'nestjs-pino';
import { ProjectorModule } from './projector.module.js';

/** The projector as its own process (server mode): owns the DuckDB file and follows the event store. */
const settings = loadSettings();

@Module({ imports: [LoggerModule.forRoot({ pinoHttp: { level: settings.logLevel } }), InfrastructureModule.forRoot(settings), ProjectorModule] })
class ProjectorAppModule {}

const app = await NestFactory.createApplicationContext(ProjectorAppModule, { bufferLogs: true });
app.useLogger(app.get(Logger));
app.enableShutdownHooks();
