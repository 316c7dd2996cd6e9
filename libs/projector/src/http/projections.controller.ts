import type { ProjectorRunner } from '../runtime/projector-runner.js';
import { Controller, DefaultValuePipe, Get, Inject, ParseIntPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PROJECTORS } from '../tokens.js';
import { ProjectorFailedError } from './projections-errors.js';
import { Roles } from '@olist/security';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { LAG_COUNT_LIMIT } from '@olist/observability';

@ApiTags('operations')
@Roles('loader', 'analyst', 'auditor', 'viewer')
@Controller('v1/projections')
export class ProjectionsController {
  constructor(
    @Inject(PROJECTORS) private readonly runners: ReadonlyArray<ProjectorRunner>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'Projection status and lag (events in the log after each checkpoint); with waitMs, first waits (up to waitMs) until everything committed so far is projected by every projector' })
  @ApiQuery({ name: 'waitMs', required: false, type: Number })
  async status(@Query('waitMs', new DefaultValuePipe(0), ParseIntPipe) waitMs: number) {
    let caughtUp: boolean | undefined;
    if (waitMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.min(waitMs, 600_000))));
      try {
        const all = Promise.all(this.runners.map((r) => r.waitUntilCaughtUp())).then(() => true as const);
        caughtUp = await Promise.race([all, timeout]);
      } catch (error) {
        throw new ProjectorFailedError(`a projector failed: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return {
      projections: await Promise.all(this.runners.map(async (runner) => {
        const s = runner.status();
        return {
          name: s.name, checkpoint: s.checkpoint ?? null, eventsProjected: s.eventsProjected,
          // Events in the log after the checkpoint: 0 when caught up (counted up to LAG_COUNT_LIMIT).
          lagEvents: await this.store.countAfter(s.checkpoint, LAG_COUNT_LIMIT),
          lastBatchAt: s.lastBatchAt?.toISOString() ?? null, running: s.running, error: s.error?.message ?? null,
          // Stopped on a failure it tries again by itself (the disk under DuckDB is full): the next attempt.
          retry: s.retry ? { attempt: s.retry.attempt, at: s.retry.at.toISOString() } : null,
        };
      })),
      ...(caughtUp === undefined ? {} : { caughtUp }),
    };
  }
}
