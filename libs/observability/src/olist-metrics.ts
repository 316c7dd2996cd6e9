import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The lag gauge counts at most this many events (a count of a long tail costs a scan of it). */
export const LAG_COUNT_LIMIT = 1_000_000;

/**
 * Every metric olist-dw exposes at `/metrics`, named by Prometheus conventions: the `olistdw_` prefix, base units
 * (seconds, bytes), counters ending in `_total`, labels with bounded values only (routes, files, event types,
 * projections: never ids). The process metrics are prom-client's defaults (`process_*`, `nodejs_*`).
 * docs/operations.md lists them with their meaning; deploy/prometheus/alerts.yml alerts on them.
 */
export class OlistMetrics {
  readonly registry = new Registry();
  private readonly collectors: Array<() => Promise<void> | void> = [];

  readonly httpRequestDuration = new Histogram({
    name: 'olistdw_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rowsIngested = new Counter({
    name: 'olistdw_rows_ingested_total',
    help: 'Source rows ingested, by file and outcome (accepted, duplicate, rejected)',
    labelNames: ['file', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'olistdw_events_appended_total',
    help: 'Events appended to the event store by this process, by event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'olistdw_event_store_append_duration_seconds',
    help: 'Duration of one append to the event store (one call: a batch of streams)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly projectionCheckpoint = new Gauge({
    name: 'olistdw_projection_checkpoint_position',
    help: "The global-log position of the last event a projection applied (the adapter's sequence number)",
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'olistdw_projection_lag_events',
    help: `Events in the log after a projection's checkpoint (counted up to ${LAG_COUNT_LIMIT.toLocaleString('en')})`,
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLastEventAge = new Gauge({
    name: 'olistdw_projection_last_event_age_seconds',
    help: 'Seconds since a projection last applied a batch (since the process started, when it has applied none)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionBatchDuration = new Histogram({
    name: 'olistdw_projection_batch_duration_seconds',
    help: 'Duration of applying one batch of events to a projection',
    labelNames: ['projection'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly projectionEvents = new Counter({
    name: 'olistdw_projection_events_total',
    help: 'Events applied to a projection by this process',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionRunning = new Gauge({
    name: 'olistdw_projection_running',
    help: '1 while a projection follows the log, 0 once it stopped on an error',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly martRefreshDuration = new Histogram({
    name: 'olistdw_mart_refresh_duration_seconds',
    help: 'Duration of one refresh of the marts after the star schema moved',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly martRefreshFailures = new Counter({
    name: 'olistdw_mart_refresh_failures_total',
    help: 'Mart refreshes that failed (the marts kept their previous content)',
    registers: [this.registry],
  });

  readonly lastRunStatus = new Gauge({
    name: 'olistdw_pipeline_last_run_status',
    help: 'The latest pipeline run: 1 for its status (RUNNING, LOADED, COMPLETED, FAILED), 0 for the others',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly lastRunOutcome = new Gauge({
    name: 'olistdw_pipeline_last_run_outcome',
    help: 'The latest completed pipeline run: 1 for its quality outcome (SUCCESS, WARN, FAILED), 0 for the others',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly lastRunQualityScore = new Gauge({
    name: 'olistdw_pipeline_last_run_quality_score',
    help: 'Quality score (0-100) of the latest pipeline run that has one',
    registers: [this.registry],
  });

  readonly lastRunStarted = new Gauge({
    name: 'olistdw_pipeline_last_run_started_timestamp_seconds',
    help: 'When the latest pipeline run started (Unix time)',
    registers: [this.registry],
  });

  readonly up = new Gauge({
    name: 'olistdw_up',
    help: 'Whether a store this process depends on answers (1) or not (0): event_store, database, duckdb',
    labelNames: ['component'] as const,
    registers: [this.registry],
  });

  readonly poolConnections = new Gauge({
    name: 'olistdw_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting: requests queued for a connection)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly poolMax = new Gauge({
    name: 'olistdw_db_pool_max_connections',
    help: 'The PostgreSQL pool size',
    registers: [this.registry],
  });

  readonly duckdbFileSize = new Gauge({
    name: 'olistdw_duckdb_file_size_bytes',
    help: 'Size of the DuckDB file with the star schema and marts (with its WAL)',
    registers: [this.registry],
  });

  readonly duckdbMemory = new Gauge({
    name: 'olistdw_duckdb_memory_bytes',
    help: "Memory DuckDB's buffer manager holds for the star schema's database, by what it holds (duckdb_memory(): base tables, indexes, hash tables…); bounded by DUCKDB_MEMORY_LIMIT",
    labelNames: ['tag'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A source of gauges read when `/metrics` is scraped (a failing one leaves its gauges as they were). */
  onScrape(collect: () => Promise<void> | void): void {
    this.collectors.push(collect);
  }

  /** Runs every scrape-time source, then renders the exposition format. */
  async scrape(): Promise<string> {
    await Promise.all(this.collectors.map(async (collect) => {
      try {
        await collect();
      } catch {
        // A store that cannot be asked shows up as olistdw_up 0 from its own collector; the rest still renders.
      }
    }));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
