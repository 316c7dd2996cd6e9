import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { projectorOwned } from '../api/projector-owned.module.js';
import { LINEAGE } from '../tokens.js';
import { ProjectorLineageClient } from './lineage-client.js';
import { LineageController } from './lineage.controllers.js';

/** `GET /v1/audit/lineage/…`: the DuckDB side where the file is owned (this process, or the projector's), the events from the store. */
@Module({})
export class LineageModule {
  static register(settings: Settings): DynamicModule {
    return projectorOwned(LineageModule, settings, LINEAGE, (url) => new ProjectorLineageClient(url), [LineageController]);
  }
}
