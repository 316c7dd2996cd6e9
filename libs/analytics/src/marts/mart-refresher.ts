import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findUpwards, type DuckDbClient } from '@olist/duckdb';
import { STAR_SCHEMA_PROJECTION } from '../star-schema/star-schema-projection.js';

/** The marts of spec §8, by their stable names (analysts and dashboards depend on them). */
export const MART_TABLES = [
  'mart.monthly_revenue',
  'mart.customer_cohorts',
  'mart.customer_segments',
  'mart.seller_scorecard',
  'mart.delivery_performance',
  'mart.category_performance',
  'mart.review_vs_delivery',
  'mart.payment_mix',
] as const;
export type MartTable = (typeof MART_TABLES)[number];

/** One mart's definition: `projections/duckdb/marts/<name>.sql`, a `CREATE OR REPLACE TABLE mart.<name> AS …` script. */
export interface MartDefinition {
  readonly table: MartTable;
  readonly file: string;
  readonly sql: string;
}

/** The idempotent DDL run before the marts: the `mart` schema and `mart.refresh_log`. */
export const MART_SCHEMA_FILE = 'mart_schema.sql';

export interface MartRefreshResult {
  readonly tables: ReadonlyArray<MartTable>;
  /** The star schema checkpoint the marts were built from (undefined: nothing projected yet). */
  readonly checkpoint: string | undefined;
  readonly durationMs: number;
  /** Attempts made (a write-write conflict with another refresher is retried). */
  readonly attempts: number;
}

export interface MartRefresherOptions {
  /** Directory of the mart definitions (default: `projections/duckdb/marts` of the repository). */
  readonly dir?: string;
  /** The core.projection_checkpoint row recorded in mart.refresh_log (default `core_star_schema`). */
  readonly projection?: string;
  /** Attempts when DuckDB reports a transaction conflict (default 3). */
  readonly attempts?: number;
}

/** Reads every mart's SQL, in {@link MART_TABLES} order; a missing file is an error. */
export const loadMartDefinitions = (dir: string): MartDefinition[] => {
  const files = new Set(readdirSync(dir).filter((f) => f.endsWith('.sql')));
  return MART_TABLES.map((table) => {
    const file = `${table.slice('mart.'.length)}.sql`;
    if (!files.has(file)) throw new Error(`mart definition ${file} is missing from ${dir}`);
    const sql = readFileSync(join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    if (!sql.includes(`CREATE OR REPLACE TABLE ${table} AS`)) throw new Error(`${file} must create ${table} (CREATE OR REPLACE TABLE ${table} AS …)`);
    return { table, file, sql };
  });
};

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
/** Errors may come from another realm (the native addon under jest's VM modules): no instanceof. */
const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : String(error);
const isConflict = (error: unknown): boolean => /conflict/i.test(messageOf(error));

/**
 * Rebuilds every mart from the `core` star schema in ONE DuckDB transaction: the `mart` schema is
 * created if needed ({@link MART_SCHEMA_FILE}), each definition replaces
 * its table (`CREATE OR REPLACE TABLE … AS`), and a row goes to `mart.refresh_log` with the checkpoint of
 * the snapshot read. Readers on other connections see all the old marts or all the new ones; a failing
 * definition rolls everything back. The snapshot is consistent with a committed projector batch, so a
 * refresh may run on its own connection while the projector writes.
 */
export class MartRefresher {
  readonly definitions: ReadonlyArray<MartDefinition>;
  /** {@link MART_SCHEMA_FILE}'s DDL. */
  readonly schemaSql: string;
  /** SHA-256 of the definitions run: which version of the SQL built the marts. */
  readonly checksum: string;
  private readonly projection: string;
  private readonly attempts: number;

  constructor(options: MartRefresherOptions = {}) {
    const dir = options.dir ?? findUpwards(import.meta.url, 'projections/duckdb/marts');
    this.definitions = loadMartDefinitions(dir);
    this.schemaSql = readFileSync(join(dir, MART_SCHEMA_FILE), 'utf8').replace(/\r\n/g, '\n');
    this.checksum = createHash('sha256')
      .update([`${MART_SCHEMA_FILE}\n${this.schemaSql}`, ...this.definitions.map((d) => `${d.file}\n${d.sql}`)].join('\n'))
      .digest('hex');
    this.projection = options.projection ?? STAR_SCHEMA_PROJECTION;
    this.attempts = Math.max(1, options.attempts ?? 3);
  }

  /** Rebuilds all marts on `client` (joining its transaction if one is open). */
  async refresh(client: DuckDbClient): Promise<MartRefreshResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...(await this.refreshOnce(client)), attempts: attempt };
      } catch (error) {
        if (attempt >= this.attempts || client.inTransaction || !isConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  private async refreshOnce(client: DuckDbClient): Promise<Omit<MartRefreshResult, 'attempts'>> {
    const started = performance.now();
    return client.transaction(async (tx) => {
      await tx.run(this.schemaSql);
      for (const definition of this.definitions) {
        try {
          await tx.run(definition.sql);
        } catch (error) {
          throw new Error(`mart ${definition.table} (${definition.file}): ${messageOf(error)}`, { cause: error });
        }
      }
      const row = await tx.queryOne<{ checkpoint: string | null }>(
        `SELECT checkpoint FROM core.projection_checkpoint WHERE projection = ${literal(this.projection)}`,
      );
      const durationMs = Math.round(performance.now() - started);
      await tx.run(
        `INSERT INTO mart.refresh_log
         SELECT CAST(${literal(new Date().toISOString().replace('T', ' ').replace('Z', ''))} AS TIMESTAMP), ${literal(this.projection)},
                (SELECT checkpoint FROM core.projection_checkpoint WHERE projection = ${literal(this.projection)}),
                (SELECT events_projected FROM core.projection_checkpoint WHERE projection = ${literal(this.projection)}),
                [${this.definitions.map((d) => literal(d.table)).join(', ')}], ${literal(this.checksum)}, ${durationMs}`,
      );
      return { tables: this.definitions.map((d) => d.table), checkpoint: row?.checkpoint ?? undefined, durationMs };
    });
  }
}
