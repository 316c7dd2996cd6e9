import { METRICS, SQL_CLIENT } from '@olist/infrastructure';
import { httpMetricsMiddleware, type OlistMetrics } from '@olist/observability';
import type { SqlClient } from '@olist/postgres';
import { Controller, Get, Inject, Injectable, Module, Res, type DynamicModule, type MiddlewareConsumer, type NestModule, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@olist/security';

interface ScrapeResponse {
  setHeader(name: string, value: string): unknown;
}

/** Prometheus scrapes `GET /metrics` with a key of the `viewer` role (docs/operations.md: the scrape configuration). */
@ApiTags('operations')
@Roles('viewer')
@Controller('metrics')
class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: OlistMetrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of this process (text exposition format)' })
  @ApiProduces('text/plain')
  async scrape(@Res({ passthrough: true }) response: ScrapeResponse): Promise<string> {
    const text = await this.metrics.scrape();
    response.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}

const RUN_STATUSES = ['RUNNING', 'LOADED', 'COMPLETED', 'FAILED'] as const;
const RUN_OUTCOMES = ['SUCCESS', 'WARN', 'FAILED'] as const;

/** The latest pipeline run's status, outcome and quality score, read from the run read model at each scrape. */
@Injectable()
class PipelineRunGauges implements OnModuleInit {
  constructor(
    @Inject(METRICS) private readonly metrics: OlistMetrics,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.collect());
  }

  private async collect(): Promise<void> {
    const { rows } = await this.sql.query<{ status: string; outcome: string | null; started: number }>(
      `SELECT status, outcome, extract(epoch FROM started_at)::float8 AS started FROM etl_orchestration.pipeline_runs ORDER BY started_at DESC LIMIT 1`,
    );
    const latest = rows[0];
    for (const status of RUN_STATUSES) this.metrics.lastRunStatus.set({ status }, latest?.status === status ? 1 : 0);
    if (latest) this.metrics.lastRunStarted.set(latest.started);
    const scored = await this.sql.query<{ outcome: string; score: string }>(
      `SELECT outcome, quality_score::text AS score FROM etl_orchestration.pipeline_runs WHERE quality_score IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
    );
    const last = scored.rows[0];
    for (const outcome of RUN_OUTCOMES) this.metrics.lastRunOutcome.set({ outcome }, last?.outcome === outcome ? 1 : 0);
    if (last) this.metrics.lastRunQualityScore.set(Number(last.score));
  }
}

/**
 * `GET /metrics` and the HTTP request histogram of this process. `pipelineRuns`: this process also reports the
 * latest pipeline run (the API; the projector process leaves it to the API, so it is not scraped twice).
 */
@Module({})
export class MetricsModule implements NestModule {
  constructor(@Inject(METRICS) private readonly metrics: OlistMetrics) {}

  static register({ pipelineRuns }: { pipelineRuns: boolean }): DynamicModule {
    return { module: MetricsModule, controllers: [MetricsController], providers: pipelineRuns ? [PipelineRunGauges] : [] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpMetricsMiddleware(this.metrics)).forRoutes('*');
  }
}
