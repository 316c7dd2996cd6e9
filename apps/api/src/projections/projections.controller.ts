import type { ProjectorRunner } from '@olist/analytics';
import { Controller, DefaultValuePipe, Get, Inject, ParseIntPipe, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { STAR_SCHEMA_PROJECTOR } from '../../../projector/src/projector.module.js';

@ApiTags('operations')
@Controller('v1/projections')
export class ProjectionsController {
  constructor(@Inject(STAR_SCHEMA_PROJECTOR) private readonly runner: ProjectorRunner) {}

  @Get('status')
  @ApiOperation({ summary: 'Projection status; with waitMs, first waits (up to waitMs) until everything committed so far is projected' })
  @ApiQuery({ name: 'waitMs', required: false, type: Number })
  async status(@Query('waitMs', new DefaultValuePipe(0), ParseIntPipe) waitMs: number) {
    let caughtUp: boolean | undefined;
    if (waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.min(waitMs, 600_000))));
      try {
        caughtUp = await Promise.race([this.runner.waitUntilCaughtUp().then(() => true as const), timeout]);
      } catch (error) {
        throw new ServiceUnavailableException(`projector ${this.runner.name} failed: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    const s = this.runner.status();
    return {
      projections: [{
        name: s.name, checkpoint: s.checkpoint ?? null, eventsProjected: s.eventsProjected,
        lastBatchAt: s.lastBatchAt?.toISOString() ?? null, running: s.running, error: s.error?.message ?? null,
      }],
      ...(caughtUp === undefined ? {} : { caughtUp }),
    };
  }
}
