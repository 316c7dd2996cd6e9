import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CompletePipelineRunHandler, FailPipelineRunHandler, StartPipelineRunHandler } from './pipeline-runs/pipeline-run-handlers.js';
import { PipelineRunsController } from './pipeline-runs/pipeline-runs.controller.js';
import { IngestBatchHandler } from './ingestion/ingest-batch.handler.js';
import { EraseDataSubjectHandler, ErasuresController } from './erasures/erasures.js';

const commandHandlers = [IngestBatchHandler, StartPipelineRunHandler, CompletePipelineRunHandler, FailPipelineRunHandler, EraseDataSubjectHandler];

/** The command side (spec §3): the ingestion and erasure endpoints and the @nestjs/cqrs command handlers behind them. */
@Module({
  imports: [CqrsModule],
  controllers: [PipelineRunsController, ErasuresController],
  providers: [...commandHandlers],
})
export class CommandSideModule {}
