import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { REBUILD_VERIFIER } from '../tokens.js';
import { projectorOwned } from './projector-owned.module.js';
import { AdminController } from './admin.controller.js';
import { ProjectorRebuildClient } from './projector-rebuild-client.js';

/** `POST /v1/admin/rebuild-verify`, run where the read models are owned: this process in-process, else the projector's. */
@Module({})
export class AdminModule {
  static register(settings: Settings): DynamicModule {
    return projectorOwned(AdminModule, settings, REBUILD_VERIFIER, (url) => new ProjectorRebuildClient(url), [AdminController]);
  }
}
