import { Roles } from '@olist/security';
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { RebuildJobs } from '../rebuild/rebuild-jobs.js';
import type { RebuildVerification } from '../rebuild/rebuild-verifier.js';
import { REBUILD_VERIFIER } from '../tokens.js';
import { CHECKPOINT_FORMAT } from '@olist/event-store';

export class StartRebuildDto {
  @ApiProperty({ required: false, description: 'only up to this log position: the star schema and marts as they were then (rows and hashes, no comparison)' })
  @IsOptional() @Matches(CHECKPOINT_FORMAT, { message: 'to must be a log position (20 digits, a colon, 20 digits)' })
  to?: string;
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('auditor')
@Controller('v1/admin')
export class AdminController {
  constructor(
    @Inject(REBUILD_VERIFIER) private readonly verifier: RebuildVerification,
    private readonly jobs: RebuildJobs,
  ) {}

  @Post('rebuild-verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay the event log from position 0 into fresh read models and compare every table with the live one (content hash)',
    description: 'Run it while no load is in flight. `equal` is true when every table matches and every projection counted exactly the events replayed.',
  })
  @ApiOkResponse({ description: 'The report: per projection the events replayed, per table live and rebuilt rows and hashes' })
  @ApiConflictResponse({ description: 'REBUILD.IN_PROGRESS: a rebuild is already running' })
  @ApiServiceUnavailableResponse({ description: 'REBUILD.UNAVAILABLE: the projector process (PROJECTOR=external) cannot be reached' })
  rebuildAndVerify() {
    return this.verifier.run();
  }

  @Post('rebuilds')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a rebuild-and-verify job (or, with `to`, a rebuild as of a log position); answers its id at once' })
  @ApiAcceptedResponse({ description: 'The job, running: follow it at /v1/admin/rebuilds/:id' })
  @ApiConflictResponse({ description: "REBUILD.IN_PROGRESS: a rebuild is running; `details.jobId` is the running job's id" })
  startRebuild(@Body() body: StartRebuildDto) {
    return this.jobs.start(body.to);
  }

  @Get('rebuilds/:jobId')
  @ApiOperation({ summary: 'A rebuild job: progress while it runs, then the per-table result' })
  rebuild(@Param('jobId', new ParseUUIDPipe()) jobId: string) {
    return this.jobs.get(jobId);
  }
}
