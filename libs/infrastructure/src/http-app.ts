import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { HttpErrorsFilter } from './http-errors.filter.js';

/**
 * What every HTTP process of ours has: pino logs, class-validator on every body and parameter (400 naming the
 * field), one error filter (`{ code, message, details }`), graceful shutdown, and its OpenAPI document at /docs.
 */
export const configureHttpApp = (app: NestExpressApplication, openApi: { readonly title: string; readonly description?: string }): NestExpressApplication => {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorsFilter());
  app.enableShutdownHooks();
  const document = new DocumentBuilder().setTitle(openApi.title).setDescription(openApi.description ?? '').setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document));
  return app;
};
