import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { REBUILD_VERIFIER } from '../tokens.js';
import type { RebuildVerification } from '../rebuild/rebuild-verifier.js';
import { Roles } from '@olist/security';

@ApiTags('admin')
@Roles('auditor')
@Controller('v1/admin')
export class AdminController {
  constructor(@Inject(REBUILD_VERIFIER) private readonly verifier: RebuildVerification) {}

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
}
