import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CompletePipelineRunHandler, FailPipelineRunHandler, StartPipelineRunHandler } from './pipeline-runs/pipeline-run-handlers.js';
import { PipelineRunsController } from './pipeline-runs/pipeline-runs.controller.js';
import { IngestBatchHandler } from './ingestion/ingest-batch.handler.js';
import { ROW_COMMAND_HANDLERS } from './ingestion/row-handlers.js';

const commandHandlers = [IngestBatchHandler, StartPipelineRunHandler, CompletePipelineRunHandler, FailPipelineRunHandler, ...ROW_COMMAND_HANDLERS];

@Module({
  imports: [CqrsModule],
  controllers: [PipelineRunsController],
  providers: [...commandHandlers],
})
export class CommandSideModule {}
