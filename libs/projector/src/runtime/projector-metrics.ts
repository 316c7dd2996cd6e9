import { stat } from 'node:fs/promises';
import type { Settings } from '@olist/config';
import type { DuckDbDatabase } from '@olist/duckdb';
import { CHECKPOINT_FORMAT, type Checkpoint, type EventStore } from '@olist/event-store';
import { LAG_COUNT_LIMIT, type OlistMetrics } from '@olist/observability';
import type { ProjectorRunner, ProjectorStatus } from './projector-runner.js';

/** A runner's `onBatch` that records the batch's duration and size. */
export const observeBatches = (metrics: OlistMetrics) => (status: ProjectorStatus, size: number, _events: unknown, seconds: number): void => {
  metrics.projectionBatchDuration.observe({ projection: status.name }, seconds);
  metrics.projectionEvents.inc({ projection: status.name }, size);
};

/**
 * The global-log position a checkpoint names, as a number: PostgreSQL's is (transaction id, global position),
 * EventStoreDB's (commit, prepare) position.
 */
const positionOf = (checkpoint: Checkpoint, eventStore: Settings['eventStore']): number => {
  if (!CHECKPOINT_FORMAT.test(checkpoint)) return Number.NaN;
  const [major, minor] = checkpoint.split(':');
  return Number(eventStore === 'postgres' ? minor : major);
};

/** Per projection at each scrape: checkpoint, lag behind the head of the log, time since its last batch, running; the DuckDB file. */
export const watchProjections = (
  metrics: OlistMetrics,
  { runners, store, duckdb, settings }: { runners: ReadonlyArray<ProjectorRunner>; store: EventStore; duckdb: DuckDbDatabase; settings: Settings },
): void => {
  const startedAt = Date.now();
  metrics.onScrape(async () => {
    for (const runner of runners) {
      const status = runner.status();
      const labels = { projection: status.name };
      metrics.projectionRunning.set(labels, status.running ? 1 : 0);
      metrics.projectionLastEventAge.set(labels, (Date.now() - (status.lastBatchAt?.getTime() ?? startedAt)) / 1000);
      if (status.checkpoint) metrics.projectionCheckpoint.set(labels, positionOf(status.checkpoint, settings.eventStore));
      metrics.projectionLag.set(labels, await store.countAfter(status.checkpoint, LAG_COUNT_LIMIT));
    }
  });
  metrics.onScrape(async () => {
    const sizes = await Promise.all([duckdb.path, `${duckdb.path}.wal`].map((f) => stat(f).then((s) => s.size, () => 0)));
    metrics.duckdbFileSize.set(sizes[0]! + sizes[1]!);
  });
  metrics.onScrape(async () => {
    const client = await duckdb.connect();
    try {
      const rows = await client.query<{ tag: string; bytes: bigint }>('SELECT tag, memory_usage_bytes AS bytes FROM duckdb_memory()');
      for (const { tag, bytes } of rows) metrics.duckdbMemory.set({ tag: tag.toLowerCase() }, Number(bytes));
    } finally {
      client.close();
    }
  });
  metrics.onScrape(async () => {
    const answers = await duckdb.connect().then(async (client) => {
      try {
        await client.run('SELECT 1');
        return 1;
      } finally {
        client.close();
      }
    }).catch(() => 0);
    metrics.up.set({ component: 'duckdb' }, answers);
  });
};
