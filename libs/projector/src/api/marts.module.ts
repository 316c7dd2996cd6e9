import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { MART_READER, MARTS_AS_OF } from '../tokens.js';
import { projectorOwned } from './projector-owned.module.js';
import { MartsController } from './marts.controller.js';
import { ProjectorMartReader } from './projector-mart-reader.js';

/** `GET /v1/marts…`, answered by the DuckDB owner: the in-process DuckDbMartReader, else the projector process (PROJECTOR_URL). */
@Module({})
export class MartsModule {
  static register(settings: Settings): DynamicModule {
    return projectorOwned(MartsModule, settings, [MART_READER, MARTS_AS_OF], (url) => new ProjectorMartReader(url), [MartsController]);
  }
}
