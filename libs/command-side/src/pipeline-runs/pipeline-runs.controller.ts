import { sourceFile, UnknownSourceFileError, type BatchResult, type CompleteRunResponse, type FailRunResponse, type StartRunResponse } from '@olist/ingestion';
import { BadRequestException, Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestBatchCommand } from '../ingestion/ingest-batch.command.js';
import { CompletePipelineRunDto, FailPipelineRunDto, IngestBatchDto, StartPipelineRunDto } from './dto.js';
import { CompletePipelineRunCommand, FailPipelineRunCommand, StartPipelineRunCommand } from './pipeline-run-commands.js';
import { IDENTIFIER, PathParam } from '@olist/infrastructure';
import { actorOf, Roles } from '@olist/security';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,64}$/;

/** The loader's commands; the actor of every event they cause is the user of the request's API key. */
@ApiTags('ingestion')
@ApiBearerAuth()
@Roles('loader')
@Controller('v1/pipeline-runs')
export class PipelineRunsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @ApiOperation({ summary: 'Start (or rejoin) a pipeline run' })
  start(@Body() body: StartPipelineRunDto, @Req() request: object): Promise<StartRunResponse> {
    return this.commandBus.execute(new StartPipelineRunCommand(body.runId, body.source, actorOf(request)));
  }

  @Post(':runId/files/:file/batches')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest a batch of rows of one source file; answers each row: accepted, duplicate or rejected with reasons' })
  @ApiHeader({
    name: 'Idempotency-Key', required: false,
    description: 'One per batch, the same on every retry of it (8-64 of A-Z a-z 0-9 _ -): a retry whose earlier attempt was written but not answered gets that answer (its rows accepted, not duplicates)',
  })
  ingest(
    @Param('runId', new ParseUUIDPipe()) runId: string,
    @Param('file', new PathParam('file', IDENTIFIER, 'a source file name (orders, order_items, …)')) fileName: string,
    @Body() body: IngestBatchDto,
    @Req() request: object,
    @Headers('idempotency-key') requestKey?: string,
  ): Promise<BatchResult> {
    const file = sourceFile(fileName);
    if (!file) throw new UnknownSourceFileError(fileName);
    if (requestKey !== undefined && !IDEMPOTENCY_KEY.test(requestKey)) throw new BadRequestException('header Idempotency-Key must be 8-64 characters of A-Z a-z 0-9 _ -');
    return this.commandBus.execute(new IngestBatchCommand(runId, file, body.header, body.rows, actorOf(request), requestKey));
  }

  @Post(':runId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete a pipeline run with its per-file statistics' })
  complete(@Param('runId', new ParseUUIDPipe()) runId: string, @Body() body: CompletePipelineRunDto, @Req() request: object): Promise<CompleteRunResponse> {
    return this.commandBus.execute(new CompletePipelineRunCommand(runId, body.files, actorOf(request)));
  }

  @Post(':runId/fail')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a running pipeline run as failed (e.g. the loader was interrupted)' })
  fail(@Param('runId', new ParseUUIDPipe()) runId: string, @Body() body: FailPipelineRunDto, @Req() request: object): Promise<FailRunResponse> {
    return this.commandBus.execute(new FailPipelineRunCommand(runId, body.error, actorOf(request)));
  }
}
