import { Module } from '@nestjs/common';
import { ProjectorModule } from '../projector.module.js';
import { ProjectionsController } from '../http/projections.controller.js';

/** Operations view of the in-process projector (embedded mode). */
@Module({ imports: [ProjectorModule], controllers: [ProjectionsController] })
export class ProjectionsModule {}
