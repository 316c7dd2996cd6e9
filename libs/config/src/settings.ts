import { resolve } from 'node:path';

/**
 * Runtime settings, from the environment (documented in .env.example). Two modes:
 * - embedded (default): no DATABASE_URL; PGlite in PGLITE_DIR holds the event store and Postgres read models.
 * - server: DATABASE_URL points at a PostgreSQL server.
 */
export interface Settings {
  readonly mode: 'embedded' | 'server';
  readonly eventStore: 'postgres' | 'eventstoredb';
  /** EventStoreDB connection string (`esdb://host:2113?tls=false`), when eventStore is eventstoredb. */
  readonly eventStoreUrl: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly pgliteDir: string;
  readonly duckdbPath: string;
  /**
   * DuckDB `memory_limit` of the instances that own and rebuild the star schema (DuckDB's own default is 80% of
   * RAM: its buffer pool then grows with the data). Past it, DuckDB spills to duckdbTempDir.
   */
  readonly duckdbMemoryLimit: string;
  /** Where those instances spill (DuckDB `temp_directory`; default: duckdb-tmp next to DUCKDB_PATH). */
  readonly duckdbTempDir: string;
  /** The WAL size at which DuckDB writes it into the file (DuckDB `checkpoint_threshold`; unset: DuckDB's 16 MB). */
  readonly duckdbCheckpointThreshold: string | undefined;
  /**
   * Orders and customer ids the star-schema projection keeps in memory, each: the bound of what it knows of the
   * stored rows (~250 bytes an order and its customer); a batch looks up the others in DuckDB.
   */
  readonly starSchemaCacheEntries: number;
  /**
   * How long the projector's short batches wait for more events while a load trickles in (the subscriptions'
   * `lingerMs`): fewer, larger batches, each costing a transaction and set-based statements over the tables.
   */
  readonly projectorLingerMs: number;
  readonly host: string;
  readonly port: number;
  /** Run the projector inside the API process (embedded default) or leave it to apps/projector. */
  readonly projector: 'in-process' | 'external';
  readonly logLevel: string;
  readonly bodyLimit: string;
  /** The quality rule set (JSON) the projector checks loaded runs with; default: the shipped rules. */
  readonly qualityRules: string | undefined;
  /** Where the projector process serves its internal HTTP endpoints (mart reads, health, status). */
  readonly projectorHost: string;
  readonly projectorPort: number;
  /** How the API reaches that process when PROJECTOR=external (default: http://PROJECTOR_HOST:PROJECTOR_PORT). */
  readonly projectorUrl: string;
  /** Mart reads the DuckDB owner runs at once (more queue). */
  readonly martReadConcurrency: number;
  /** Security (README "Security"). The bootstrap admin key to install on an empty database (automation); else one is generated into adminKeyFile. */
  readonly adminKey: string | undefined;
  /** Where a generated bootstrap admin key is written once (mode 0600). */
  readonly adminKeyFile: string;
  /** Personal data (README "Personal data"): the master key (32 bytes, base64 or hex) that wraps every data subject's key. */
  readonly masterKey: string | undefined;
  /** Where a master key is generated on first start when OLIST_DW_MASTER_KEY is not set (mode 0600). */
  readonly masterKeyFile: string;
  /**
   * Server mode: a connection for the audit trail as a login role that is a member of olist_dw_audit only
   * (INSERT and SELECT on the audit log), apart from DATABASE_URL's owner role. Default: DATABASE_URL's connection.
   */
  readonly auditDatabaseUrl: string | undefined;
  /** Whether `/docs` (OpenAPI) is served without a key. */
  readonly docsPublic: boolean;
  /** Requests per minute one API key (or, without a key, one client address) may make; more get 429. */
  readonly rateLimitPerMinute: number;
  /** Origins allowed to call the API from a browser (CORS); empty: none (the default). */
  readonly corsOrigins: ReadonlyArray<string>;
  /** Ad-hoc SQL (`POST /v1/query`, docs/ad-hoc-sql.md): how long one query may run before it is interrupted (QUERY.TIMEOUT). */
  readonly queryTimeoutMs: number;
  /** The highest `limit` a query may ask for (rows answered). */
  readonly queryMaxRows: number;
  /** Rows answered when a query gives no `limit` (at most queryMaxRows). */
  readonly queryDefaultRows: number;
  /** DuckDB `memory_limit` of the sandbox instance that runs analysts' SQL (e.g. `1GB`; checked when the query runner is made). */
  readonly queryMemoryLimit: string;
  /** DuckDB `threads` of that sandbox instance. */
  readonly queryThreads: number;
  /** Ad-hoc queries run at once (each on its own connection); more wait, up to QUERY_TIMEOUT_MS. */
  readonly queryConcurrency: number;
  /** Where the DuckDB owner writes the read-only snapshot files analysts' SQL runs on (default: next to DUCKDB_PATH). */
  readonly querySnapshotDir: string;
}

const positiveInt = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got "${value}")`);
  return n;
};

const nonNegativeInt = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got "${value}")`);
  return n;
};

const oneOf = <T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
};

export const loadSettings = (env: Record<string, string | undefined> = process.env): Settings => {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (env.EVENT_STORE === 'eventstoredb' && !env.EVENTSTORE_URL) throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL (e.g. esdb://127.0.0.1:2113?tls=false)');
  const mode = databaseUrl ? 'server' : 'embedded';
  const projectorHost = env.PROJECTOR_HOST || '127.0.0.1';
  // 0: any free port (a projector nobody reads from, e.g. one a test spawns); the API then needs PROJECTOR_URL.
  const projectorPort = env.PROJECTOR_PORT === '0' ? 0 : positiveInt('PROJECTOR_PORT', env.PROJECTOR_PORT, 3001);
  if (env.PROJECTOR_URL && !/^https?:\/\/[^/]+/.test(env.PROJECTOR_URL)) throw new Error(`PROJECTOR_URL must be an http(s) URL (got "${env.PROJECTOR_URL}")`);
  return {
    mode,
    eventStore: oneOf('EVENT_STORE', env.EVENT_STORE, ['postgres', 'eventstoredb'] as const, 'postgres'),
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    databaseUrl,
    pgliteDir: resolve(env.PGLITE_DIR || 'var/pglite'),
    duckdbPath: resolve(env.DUCKDB_PATH || 'var/olist.duckdb'),
    duckdbMemoryLimit: env.DUCKDB_MEMORY_LIMIT?.trim() || DEFAULT_DUCKDB_MEMORY_LIMIT,
    duckdbTempDir: resolve(env.DUCKDB_TEMP_DIR || resolve(env.DUCKDB_PATH || 'var/olist.duckdb', '..', 'duckdb-tmp')),
    duckdbCheckpointThreshold: env.DUCKDB_CHECKPOINT_THRESHOLD?.trim() || undefined,
    starSchemaCacheEntries: positiveInt('STAR_SCHEMA_CACHE_ENTRIES', env.STAR_SCHEMA_CACHE_ENTRIES, 200_000),
    projectorLingerMs: nonNegativeInt('PROJECTOR_LINGER_MS', env.PROJECTOR_LINGER_MS, DEFAULT_PROJECTOR_LINGER_MS),
    host: env.HOST || '127.0.0.1',
    port: positiveInt('PORT', env.PORT, 3000),
    projector: oneOf('PROJECTOR', env.PROJECTOR, ['in-process', 'external'] as const, mode === 'embedded' ? 'in-process' : 'external'),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: env.BODY_LIMIT || '32mb',
    qualityRules: env.QUALITY_RULES ? resolve(env.QUALITY_RULES) : undefined,
    projectorHost,
    projectorPort,
    projectorUrl: (env.PROJECTOR_URL || `http://${projectorHost === '0.0.0.0' ? '127.0.0.1' : projectorHost}:${projectorPort}`).replace(/\/+$/, ''),
    martReadConcurrency: positiveInt('MART_READ_CONCURRENCY', env.MART_READ_CONCURRENCY, 2),
    adminKey: env.OLIST_DW_ADMIN_KEY || undefined,
    auditDatabaseUrl: env.AUDIT_DATABASE_URL || undefined,
    adminKeyFile: resolve(env.OLIST_DW_ADMIN_KEY_FILE || 'var/admin.key'),
    masterKey: env.OLIST_DW_MASTER_KEY || undefined,
    masterKeyFile: resolve(env.OLIST_DW_MASTER_KEY_FILE || 'var/master.key'),
    docsPublic: oneOf('DOCS_PUBLIC', env.DOCS_PUBLIC, ['true', 'false'] as const, 'true') === 'true',
    rateLimitPerMinute: positiveInt('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 12_000),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    queryTimeoutMs: positiveInt('QUERY_TIMEOUT_MS', env.QUERY_TIMEOUT_MS, 10_000),
    queryMaxRows: positiveInt('QUERY_MAX_ROWS', env.QUERY_MAX_ROWS, 100_000),
    queryDefaultRows: positiveInt('QUERY_DEFAULT_ROWS', env.QUERY_DEFAULT_ROWS, 1_000),
    queryMemoryLimit: env.QUERY_MEMORY_LIMIT?.trim() || '1GB',
    queryThreads: positiveInt('QUERY_THREADS', env.QUERY_THREADS, 1),
    queryConcurrency: positiveInt('QUERY_CONCURRENCY', env.QUERY_CONCURRENCY, 2),
    querySnapshotDir: resolve(env.QUERY_SNAPSHOT_DIR || resolve(env.DUCKDB_PATH || 'var/olist.duckdb', '..', 'query-snapshots')),
  };
};

/**
 * The owner's DuckDB `memory_limit` unless DUCKDB_MEMORY_LIMIT says otherwise. At ten times the Olist data the
 * mart refresh is what fills it, and the process's resident memory rises by 1.0–1.7 times this limit while it
 * runs (docs/operations.md, "Memory").
 */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '256MB';

/**
 * The projector process's V8 heap limit (MB): V8 sizes its heap to the machine, not to what is live, and at ten
 * times the Olist data it let the projector's heap reach 550–600 MB for ~250 MB in use (docs/operations.md, "Memory").
 */
export const PROJECTOR_HEAP_LIMIT_MB = 384;

/** Node's flags for a projector process: the heap limit, unless NODE_OPTIONS (`nodeOptions`) sets one (it would lose to a flag). */
export const projectorNodeFlags = (nodeOptions: string | undefined): string[] =>
  /--max[-_]old[-_]space[-_]size\b/.test(nodeOptions ?? '') ? [] : [`--max-old-space-size=${PROJECTOR_HEAP_LIMIT_MB}`];

/**
 * The DuckDB configuration of the instances that own or rebuild the star schema: bounded memory, spilling to disk,
 * and the allocator's background threads, which hand back to the system what a mart refresh freed (without them
 * ~300 MB of it stay resident after a refresh at ten times the Olist data: docs/performance.md).
 */
export const duckdbOwnerConfig = (
  settings: Pick<Settings, 'duckdbMemoryLimit' | 'duckdbTempDir'> & Partial<Pick<Settings, 'duckdbCheckpointThreshold'>>,
): Record<string, string> => ({
  memory_limit: settings.duckdbMemoryLimit,
  temp_directory: settings.duckdbTempDir,
  allocator_background_threads: 'true',
  ...(settings.duckdbCheckpointThreshold ? { checkpoint_threshold: settings.duckdbCheckpointThreshold } : {}),
});

/** Default of PROJECTOR_LINGER_MS (see `projectorLingerMs`). */
export const DEFAULT_PROJECTOR_LINGER_MS = 500;
