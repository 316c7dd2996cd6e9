/** DI tokens of the projection runtime (ProjectorModule's providers). */
export const DUCKDB = Symbol('DUCKDB');
export const STAR_SCHEMA_PROJECTOR = Symbol('STAR_SCHEMA_PROJECTOR');
export const OPERATIONS_PROJECTOR = Symbol('OPERATIONS_PROJECTOR');
/** Every projector this module runs. */
export const PROJECTORS = Symbol('PROJECTORS');
/** The MartRefreshScheduler rebuilding the `mart` schema after projector batches (debounced). */
export const MART_REFRESH = Symbol('MART_REFRESH');
/** The QualityGate checking loaded pipeline runs against the star schema. */
export const QUALITY_GATE = Symbol('QUALITY_GATE');
/** Each batch the star schema applied (for process managers reacting to projected events). */
export const STAR_SCHEMA_BATCHES = Symbol('STAR_SCHEMA_BATCHES');
/** The MartReader port (libs/analytics): in this process, DuckDbMartReader on the projector's DuckDB instance. */
export const MART_READER = Symbol('MART_READER');
/** The marts as of a past log position (MartTimeTravel): replays into a scratch DuckDB file in the DuckDB owner's process. */
export const MARTS_AS_OF = Symbol('MARTS_AS_OF');
/** Lineage's DuckDB side (LineageReader): a mart row's fact rows, a fact row by key. */
export const LINEAGE = Symbol('LINEAGE');
/** Rebuild-and-verify of the read models this process owns (RebuildVerification). */
export const REBUILD_VERIFIER = Symbol('REBUILD_VERIFIER');
/** The QueryRunner port (libs/analytics): in this process, SandboxQueryRunner on snapshots of the projector's DuckDB file. */
export const QUERY_RUNNER = Symbol('QUERY_RUNNER');
/** StarSchemaSnapshots: a consistent DuckDB copy of `core` and `mart` to download (in this process, the query snapshots). */
export const SNAPSHOTS = Symbol('SNAPSHOTS');
