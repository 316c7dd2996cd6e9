import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin.module.js';
import { LineageModule } from '../lineage/lineage.module.js';
import { MartsModule } from './marts.module.js';
import { ProjectionsModule } from './projections.module.js';
import { QueryModule } from './query.module.js';
import { RemoteProjectionsModule } from './remote-projections.module.js';
import { SnapshotModule } from './snapshot.controller.js';

/**
 * The API's endpoints that the owner of the read models answers — `/v1/marts`, `/v1/query`, `/v1/snapshot`,
 * `/v1/projections/status`, `/v1/admin/rebuild-verify`: this process's projector in embedded mode
 * (PROJECTOR=in-process), else the projector process over HTTP (PROJECTOR_URL).
 */
@Module({})
export class ProjectorEndpointsModule {
  static register(settings: Settings): DynamicModule {
    const inProcess = settings.projector === 'in-process';
    return {
      module: ProjectorEndpointsModule,
      imports: [
        MartsModule.register(settings),
        QueryModule.register(settings),
        AdminModule.register(settings),
        LineageModule.register(settings),
        SnapshotModule.register(settings),
        inProcess ? ProjectionsModule : RemoteProjectionsModule.register(settings),
      ],
    };
  }
}
