import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ProjectionsController } from './projections.controller.js';
import { ProjectorModule } from '../projector.module.js';
import { InternalLineageController } from '../lineage/lineage.controllers.js';
import { InternalMartsController } from './internal-marts.controller.js';
import { InternalQueryController } from './internal-query.controller.js';
import { InternalRebuildController } from './internal-rebuild.controller.js';
import { ProjectorHealthController } from './projector-health.controller.js';
import { InternalSnapshotController } from '../api/snapshot.controller.js';

/**
 * The projector process's HTTP side: it owns the DuckDB file, so it answers the mart reads and the ad-hoc
 * queries the API forwards (PROJECTOR=external), and shows its health and projection status.
 */
@Module({
  imports: [ProjectorModule, TerminusModule],
  controllers: [
    InternalMartsController, InternalQueryController, InternalRebuildController, InternalLineageController, InternalSnapshotController,
    ProjectorHealthController, ProjectionsController,
  ],
})
export class ProjectorHttpModule {}
