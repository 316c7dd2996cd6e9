import type { Settings } from '@olist/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { QUERY_RUNNER } from '../tokens.js';
import { projectorOwned } from './projector-owned.module.js';
import { ProjectorQueryRunner } from './projector-query-runner.js';
import { QueryController } from './query.controller.js';

/** `POST /v1/query`, answered by the DuckDB owner: the in-process SandboxQueryRunner, else the projector process (PROJECTOR_URL). */
@Module({})
export class QueryModule {
  static register(settings: Settings): DynamicModule {
    // The projector bounds a query by its wait for a slot and its run (each QUERY_TIMEOUT_MS) plus a snapshot copy.
    const timeoutMs = 2 * settings.queryTimeoutMs + 120_000;
    return projectorOwned(QueryModule, settings, QUERY_RUNNER, (url) => new ProjectorQueryRunner(url, timeoutMs), [QueryController]);
  }
}
