import type { Settings } from '@olist/config';
import { ValidationPipe } from '@nestjs/common';
import express from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { HttpErrorsFilter } from './http-errors.filter.js';
import { JsonDepthPipe } from './json-depth.pipe.js';

/**
 * What every HTTP process of ours has: pino logs, class-validator on every body and parameter (400 naming the
 * field), one error filter (`{ code, message, details }`), graceful shutdown, and its OpenAPI document at /docs.
 */
export const configureHttpApp = (app: NestExpressApplication, openApi: { readonly title: string; readonly description?: string }): NestExpressApplication => {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new JsonDepthPipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorsFilter());
  app.enableShutdownHooks();
  const document = new DocumentBuilder().setTitle(openApi.title).setDescription(openApi.description ?? '').setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document));
  return app;
};

/** Bodies of ingestion batches (`BODY_LIMIT`, default 32 MB; a 413 makes the loader split the batch). */
const BATCHES = /^\/v1\/pipeline-runs\/[^/]+\/files\/[^/]+\/batches$/;
/** Every other body: commands, queries, admin requests. */
const SMALL_BODY_LIMIT = '256kb';

/**
 * JSON bodies, limited per route: an ingestion batch up to BODY_LIMIT, anything else 256 kB, so a huge body
 * sent to a small endpoint is refused (413) before it is parsed. The app must be created with `bodyParser: false`.
 */
export const limitRequestBodies = (app: NestExpressApplication, settings: Pick<Settings, 'bodyLimit'>): void => {
  app.use(BATCHES, express.json({ limit: settings.bodyLimit }));
  app.use(express.json({ limit: SMALL_BODY_LIMIT }));
};
