import 'reflect-metadata';
import { loadSettings } from '@olist/config';
import { configureHttpApp, limitRequestBodies } from '@olist/infrastructure';
import { secureHttpApp } from '@olist/security';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';

/** Builds the API application (also used by the end-to-end tests and the demo). */
export const createApiApp = async (settings = loadSettings()): Promise<NestExpressApplication> => {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(settings), { bufferLogs: true, bodyParser: false });
  secureHttpApp(app, settings);
  limitRequestBodies(app, settings);
  return configureHttpApp(app, { title: 'olist-dw', description: 'Event-sourced CQRS data warehouse for the Olist e-commerce dataset' });
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const settings = loadSettings();
  const app = await createApiApp(settings);
  await app.listen(settings.port, settings.host);
  app.get(Logger).log(`olist-dw API on http://${settings.host}:${settings.port} (${settings.mode} mode, projector ${settings.projector})`);
}
