import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { StartRebuildDto } from '../api/admin.controller.js';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { REBUILD_VERIFIER } from '../tokens.js';
import type { RebuildVerification } from '../rebuild/rebuild-verifier.js';
import { Roles } from '@olist/security';

/** Rebuild-and-verify in the DuckDB owner's process, for the API's POST /v1/admin/rebuild-verify (PROJECTOR=external). */
@ApiTags('internal')
@Roles('auditor')
@Controller('internal/v1/rebuild-verify')
export class InternalRebuildController {
  constructor(@Inject(REBUILD_VERIFIER) private readonly verifier: RebuildVerification) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'RebuildVerifier.run()' })
  run(@Body() body: StartRebuildDto) {
    return this.verifier.run(body.to ? { to: body.to } : {});
  }
}
