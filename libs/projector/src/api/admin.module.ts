import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { REBUILD_VERIFIER } from '../tokens.js';
import { projectorOwned } from './projector-owned.module.js';
import { AdminController } from './admin.controller.js';
import { ProjectorRebuildClient } from './projector-rebuild-client.js';
import { RebuildJobs } from '../rebuild/rebuild-jobs.js';
import type { RebuildVerification } from '../rebuild/rebuild-verifier.js';

/** `POST /v1/admin/rebuild-verify`, run where the read models are owned: this process in-process, else the projector's. */
@Module({})
export class AdminModule {
  static register(settings: Settings): DynamicModule {
    const owned = projectorOwned(AdminModule, settings, REBUILD_VERIFIER, (url) => new ProjectorRebuildClient(url), [AdminController]);
    const jobs = { provide: RebuildJobs, inject: [REBUILD_VERIFIER], useFactory: (verifier: RebuildVerification) => new RebuildJobs(verifier) };
    return { ...owned, providers: [...(owned.providers ?? []), jobs] };
  }
}
