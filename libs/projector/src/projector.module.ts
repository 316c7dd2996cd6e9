import { duckdbOwnerConfig, type Settings } from '@olist/config';
import { DuckDbLineage, DuckDbMartReader, MartRefreshScheduler, SandboxQueryRunner, StarSchemaProjection } from '@olist/analytics';
import { DuckDbDatabase } from '@olist/duckdb';
import { loadRuleSet } from '@olist/data-quality';
import type { RecordedEvent } from '@olist/event-store';
import { Subject } from 'rxjs';
import { QualityGate } from './quality/quality-gate.js';
import { MartsAsOf } from './time-travel/marts-as-of.js';
import { dirname, join } from 'node:path';
import type { EventStore } from '@olist/event-store';
import { RebuildVerifier } from './rebuild/rebuild-verifier.js';
import { EVENT_STORE, METRICS, SETTINGS, SQL_CLIENT } from '@olist/infrastructure';
import type { OlistMetrics } from '@olist/observability';
import { observeBatches, watchProjections } from './runtime/projector-metrics.js';
import { LocalStarSchemaSnapshots } from './api/star-schema-snapshots.js';
import { OPERATIONAL_READ_MODELS } from './runtime/operational-read-models.js';
import { ProjectorRunner, type ProjectorRunnerOptions } from './runtime/projector-runner.js';
import { isTransientFailure, whatCures } from './runtime/transient-failure.js';
import {
  DUCKDB,
  MART_READER,
  MART_REFRESH,
  OPERATIONS_PROJECTOR,
  PROJECTORS,
  QUALITY_GATE,
  QUERY_RUNNER,
  MARTS_AS_OF,
  LINEAGE,
  SNAPSHOTS,
  REBUILD_VERIFIER,
  STAR_SCHEMA_BATCHES,
  STAR_SCHEMA_PROJECTOR,
} from './tokens.js';
import { SqlReadModelProjection, type SqlClient } from '@olist/postgres';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/**
 * A runner's failures and recoveries in the log: the first failure of an outage as an error, each further attempt as a
 * warning, with what lets it pass (`whatCures`).
 */
const outageLog = (logger: Logger): Pick<ProjectorRunnerOptions, 'onFailure' | 'onResume'> => ({
  onFailure: ({ name, checkpoint, retry }, error) => {
    const at = `checkpoint ${checkpoint ?? '(start)'}`;
    if (!retry) logger.error(`${name} stopped at ${at}: ${error.message}. It stays stopped: restart the projector once the cause is fixed (it resumes from that checkpoint)`);
    else if (retry.attempt === 1) {
      logger.error(`${name} stopped at ${at}: ${error.message}. It tries again with back-off (next in ${Math.round((retry.at.getTime() - Date.now()) / 1000)} s) from the checkpoint stored with the data, and resumes by itself${whatCures(error)}`);
    } else logger.warn(`${name} still stopped at ${at} (attempt ${retry.attempt - 1} failed, next in ${Math.round((retry.at.getTime() - Date.now()) / 1000)} s): ${error.message}`);
  },
  onResume: ({ name }, { from, attempts, seconds }) =>
    logger.log(`${name} resumed from checkpoint ${from ?? '(start)'}: stopped ${seconds.toFixed(1)} s, ${attempts} ${attempts === 1 ? 'retry' : 'retries'}`),
});

/** Starts the projectors with the application and stops them (after their batch in flight) on shutdown. */
@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');

  constructor(
    @Inject(PROJECTORS) private readonly runners: ReadonlyArray<ProjectorRunner>,
    @Inject(DUCKDB) private readonly duckdb: DuckDbDatabase,
    @Inject(MART_REFRESH) private readonly marts: MartRefreshScheduler,
    @Inject(QUALITY_GATE) private readonly qualityGate: QualityGate,
    @Inject(OPERATIONS_PROJECTOR) private readonly operations: ProjectorRunner,
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(QUERY_RUNNER) private readonly queries: SandboxQueryRunner,
    @Inject(MARTS_AS_OF) private readonly timeTravel: MartsAsOf,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const runner of this.runners) {
      await runner.start();
      const { running, checkpoint } = runner.status();
      if (running) this.logger.log(`${runner.name}: following the log after checkpoint ${checkpoint ?? '(start)'}`);
    }
    this.marts.notify(); // the marts exist (and match the star schema) even before the first batch
    void this.recoverLoadedRuns();
  }

  /** Runs loaded while no projector ran (or whose check a crash interrupted) are checked now. */
  private async recoverLoadedRuns(): Promise<void> {
    try {
      await this.operations.waitUntilCaughtUp();
      const { rows } = await this.sql.query<{ run_id: string }>(`SELECT run_id FROM etl_orchestration.pipeline_runs WHERE status = 'LOADED' ORDER BY loaded_at`);
      for (const { run_id } of rows) this.qualityGate.recover(run_id);
    } catch (error) {
      this.logger.warn(`could not look for loaded runs to check: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queries.close(); // interrupts analysts' queries, removes the query snapshots
    await this.timeTravel.close();
    await this.qualityGate.stop();
    for (const runner of this.runners) await runner.stop();
    await this.marts.stop();
    this.duckdb.close();
  }
}

@Module({
  providers: [
    // Compactable: after an erasure the file is rewritten without the erased values' old blocks.
    { provide: DUCKDB, inject: [SETTINGS], useFactory: (settings: Settings) => DuckDbDatabase.open(settings.duckdbPath, { compactable: true, config: duckdbOwnerConfig(settings) }) },
    {
      provide: MART_REFRESH,
      inject: [DUCKDB, METRICS],
      useFactory: (duckdb: DuckDbDatabase, metrics: OlistMetrics) => {
        const logger = new Logger('Marts');
        return new MartRefreshScheduler(duckdb, {
          onRefresh: (result) => {
            metrics.martRefreshDuration.observe(result.durationMs / 1000);
            logger.debug(`marts refreshed at checkpoint ${result.checkpoint ?? '(start)'} in ${result.durationMs} ms`);
          },
          onError: (error, retryInMs) => {
            metrics.martRefreshFailures.inc();
            logger.error(`mart refresh failed (marts keep their previous content${retryInMs === undefined ? '' : `; trying again in ${Math.round(retryInMs / 1000)} s`}): ${error.message}`);
          },
        });
      },
    },
    { provide: STAR_SCHEMA_BATCHES, useFactory: () => new Subject<ReadonlyArray<RecordedEvent>>() },
    {
      provide: STAR_SCHEMA_PROJECTOR,
      inject: [EVENT_STORE, DUCKDB, MART_REFRESH, STAR_SCHEMA_BATCHES, MARTS_AS_OF, QUERY_RUNNER, METRICS, SETTINGS],
      useFactory: (
        store: EventStore,
        duckdb: DuckDbDatabase,
        marts: MartRefreshScheduler,
        batches: Subject<ReadonlyArray<RecordedEvent>>,
        timeTravel: MartsAsOf,
        queries: SandboxQueryRunner,
        metrics: OlistMetrics,
        settings: Settings,
      ) => {
        const observe = observeBatches(metrics);
        const logger = new Logger('Projector');
        // An erasure leaves no copy of the erased values: DuckDB's superseded blocks, past builds, query snapshots.
        const afterErasure = async (customerIds: ReadonlySet<string>): Promise<void> => {
          await timeTravel.discardAll();
          queries.retireSnapshots();
          const compact = async (): Promise<void> => {
            try {
              const { bytesBefore, bytesAfter } = await duckdb.compact();
              logger.log(`erased the personal data of ${customerIds.size} customer ids; DuckDB file rewritten (${bytesBefore} → ${bytesAfter} bytes)`);
            } catch (error) {
              // The rows are erased (committed); only the file's old blocks wait: the projection goes on, the rewrite is tried again.
              logger.error(`erased ${customerIds.size} customer ids, but the DuckDB file could not be rewritten (trying again in 30 s): ${(error as Error).message}`);
              setTimeout(() => void compact(), 30_000).unref();
            }
          };
          await compact();
        };
        return new ProjectorRunner(store, new StarSchemaProjection(duckdb, { afterErasure, referenceCacheEntries: settings.starSchemaCacheEntries }), {
          lingerMs: settings.projectorLingerMs,
          // A full disk under the DuckDB file, PostgreSQL restarting: the batch rolled back, tried again until it commits.
          retry: { retryable: isTransientFailure },
          ...outageLog(logger),
          onBatch: (status, size, events, seconds) => {
            observe(status, size, events, seconds);
            logger.debug(`applied ${size} events (total ${status.eventsProjected})`);
            marts.notify();
            batches.next(events);
          },
        });
      },
    },
    {
      provide: QUALITY_GATE,
      inject: [SETTINGS, EVENT_STORE, DUCKDB, STAR_SCHEMA_PROJECTOR, STAR_SCHEMA_BATCHES],
      useFactory: async (settings: Settings, store: EventStore, duckdb: DuckDbDatabase, starSchema: ProjectorRunner, batches: Subject<ReadonlyArray<RecordedEvent>>) => {
        const logger = new Logger('Quality');
        const gate = new QualityGate(store, duckdb, starSchema, await loadRuleSet(settings.qualityRules), {
          retryable: isTransientFailure,
          onReport: ({ runId, checks, appended }) => {
            if (appended.length === 0) return;
            const failed = checks.filter((c) => !c.passed).map((c) => c.ruleId);
            logger.log(`run ${runId}: ${appended.at(-1)} after ${checks.length} checks${failed.length ? `, failing: ${failed.join(', ')}` : ', all passed'}`);
          },
          onError: (runId, error, retryInMs) =>
            logger.error(`run ${runId}: quality checks failed to run${retryInMs === undefined ? '' : ` (trying again in ${Math.round(retryInMs / 1000)} s)`}: ${error.message}`),
        });
        batches.subscribe((events) => gate.notice(events));
        return gate;
      },
    },
    {
      provide: OPERATIONS_PROJECTOR,
      inject: [EVENT_STORE, SQL_CLIENT, METRICS, SETTINGS],
      useFactory: (store: EventStore, sql: SqlClient, metrics: OlistMetrics, settings: Settings) =>
        new ProjectorRunner(store, new SqlReadModelProjection(OPERATIONAL_READ_MODELS.name, sql, OPERATIONAL_READ_MODELS.handlers, OPERATIONAL_READ_MODELS.migrate), {
          lingerMs: settings.projectorLingerMs,
          retry: { retryable: isTransientFailure },
          onBatch: observeBatches(metrics),
          ...outageLog(new Logger('Projector')),
        }),
    },
    {
      provide: REBUILD_VERIFIER,
      inject: [EVENT_STORE, DUCKDB, SQL_CLIENT, SETTINGS, MART_REFRESH],
      useFactory: (store: EventStore, duckdb: DuckDbDatabase, sql: SqlClient, settings: Settings, marts: MartRefreshScheduler) =>
        new RebuildVerifier(store, duckdb, sql, duckdbOwnerConfig(settings), marts),
    },
    {
      provide: PROJECTORS,
      inject: [STAR_SCHEMA_PROJECTOR, OPERATIONS_PROJECTOR, METRICS, EVENT_STORE, DUCKDB, SETTINGS],
      useFactory: (starSchema: ProjectorRunner, operations: ProjectorRunner, metrics: OlistMetrics, store: EventStore, duckdb: DuckDbDatabase, settings: Settings) => {
        const runners = [starSchema, operations];
        watchProjections(metrics, { runners, store, duckdb, settings });
        return runners;
      },
    },
    ProjectorLifecycle,
    {
      provide: MART_READER,
      inject: [DUCKDB, SETTINGS],
      useFactory: (duckdb: DuckDbDatabase, settings: Settings) => new DuckDbMartReader(duckdb, { concurrency: settings.martReadConcurrency }),
    },
    {
      // Analysts' ad-hoc SQL (docs/ad-hoc-sql.md): sandboxed DuckDB instances on snapshot files of core and mart.
      provide: QUERY_RUNNER,
      inject: [DUCKDB, SETTINGS],
      useFactory: (duckdb: DuckDbDatabase, settings: Settings) => {
        const logger = new Logger('Query');
        return new SandboxQueryRunner(duckdb, {
          snapshotDir: settings.querySnapshotDir,
          timeoutMs: settings.queryTimeoutMs,
          maxRows: settings.queryMaxRows,
          defaultRows: settings.queryDefaultRows,
          memoryLimit: settings.queryMemoryLimit,
          threads: settings.queryThreads,
          concurrency: settings.queryConcurrency,
          onSnapshot: (s) => logger.debug(`query snapshot at checkpoint ${s.checkpoint ?? '(start)'} copied in ${s.copyMs} ms`),
          onError: (error) => logger.warn(error.message),
        });
      },
    },
    { provide: SNAPSHOTS, inject: [QUERY_RUNNER], useFactory: (runner: SandboxQueryRunner) => new LocalStarSchemaSnapshots(runner) },
    {
      provide: LINEAGE,
      inject: [DUCKDB],
      useFactory: (duckdb: DuckDbDatabase) => new DuckDbLineage(duckdb, new DuckDbMartReader(duckdb, { concurrency: 1 })),
    },
    {
      // Time travel: the marts as of a past log position, replayed into scratch files next to the DuckDB file.
      provide: MARTS_AS_OF,
      inject: [EVENT_STORE, SETTINGS],
      useFactory: (store: EventStore, settings: Settings) => new MartsAsOf(store, join(dirname(settings.duckdbPath), 'time-travel'), 3, duckdbOwnerConfig(settings)),
    },
  ],
  exports: [STAR_SCHEMA_PROJECTOR, OPERATIONS_PROJECTOR, PROJECTORS, DUCKDB, MART_REFRESH, QUALITY_GATE, MART_READER, REBUILD_VERIFIER, QUERY_RUNNER, MARTS_AS_OF, LINEAGE, SNAPSHOTS],
})
export class ProjectorModule {}
