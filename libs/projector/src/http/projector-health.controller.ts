import type { ProjectorRunner } from '../runtime/projector-runner.js';
import type { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DUCKDB, PROJECTORS } from '../tokens.js';
import { Public } from '@olist/security';

/**
 * The projector process's health: its DuckDB file answers, every projector runs, the event store answers. A projector
 * stopped on a failure it tries again (the disk under DuckDB is full) is down, with the next attempt in its details.
 */
@ApiTags('operations')
@Public()
@Controller('health')
export class ProjectorHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DUCKDB) private readonly duckdb: DuckDbDatabase,
    @Inject(PROJECTORS) private readonly runners: ReadonlyArray<ProjectorRunner>,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.probe('eventStore', () => this.store.readAll({ maxCount: 1 })),
      () => this.probe('duckdb', async () => {
        const client = await this.duckdb.connect();
        try {
          await client.scalar('SELECT 1');
        } finally {
          client.close();
        }
      }),
      ...this.runners.map((runner) => () => {
        const indicator = this.indicators.check(runner.name);
        const s = runner.status();
        const details = { checkpoint: s.checkpoint ?? null, eventsProjected: s.eventsProjected };
        if (s.running && !s.error) return indicator.up(details);
        const retry = s.retry ? { retry: { attempt: s.retry.attempt, at: s.retry.at.toISOString() } } : {};
        return indicator.down({ ...details, message: s.error?.message ?? 'not running', ...retry });
      }),
    ]);
  }

  private async probe(key: string, fn: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await fn();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
