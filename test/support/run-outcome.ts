import { createPgClient, type SqlClient, type TableContent } from '@olist/postgres';
import { starSchemaContent } from './read-model-content.js';

/**
 * What a load leaves behind that must not depend on how the load went (faults, retries, racing
 * loaders), by content hash: the log's events (id, stream, type: sealed personal values are encrypted
 * under a random IV and timestamps differ, so not the bodies), every star-schema table and mart, and
 * every operational read model without its wall-clock columns.
 */
const READ_MODELS: Readonly<Record<string, string>> = {
  'etl_orchestration.pipeline_runs': 'SELECT run_id, status FROM etl_orchestration.pipeline_runs',
  'etl_orchestration.task_executions':
    'SELECT run_id, file, rows_read, accepted, duplicates, rejected, failed, events_appended FROM etl_orchestration.task_executions',
  'etl_orchestration.batch_executions':
    'SELECT run_id, file, from_line, to_line, rows, accepted, duplicates, rejected, events_appended, rejection_reasons FROM etl_orchestration.batch_executions',
  'data_quality.invalid_rows': 'SELECT event_id, run_id, file, line, reasons FROM data_quality.invalid_rows',
  'data_quality.checks': 'SELECT run_id, rule_id, rows_checked, rows_failed, passed, error FROM data_quality.checks',
  'data_quality.reports': 'SELECT run_id, rule_set, score, outcome, checks, passed, failed, failed_critical FROM data_quality.reports',
  'event_store.events (event_id, stream_id, event_type)': 'SELECT event_id, stream_id, event_type FROM event_store.events',
};

const queryContent = async (sql: SqlClient, select: string): Promise<TableContent> => {
  const { rows } = await sql.query<{ n: bigint | string; hash: string }>(
    `SELECT count(*) AS n, md5(COALESCE(string_agg(r, chr(10) ORDER BY r COLLATE "C"), '')) AS hash FROM (SELECT t::text AS r FROM (${select}) AS t) AS rendered`,
  );
  return { rows: Number(rows[0]!.n), hash: rows[0]!.hash };
};

export interface RunOutcome {
  readonly tables: Record<string, TableContent | undefined>;
  /** Events whose id is in the log more than once (must be 0). */
  readonly duplicateEvents: number;
  readonly events: number;
}

/** The outcome of a load on `dbUrl` (PostgreSQL server) and `duckdbPath` (no process may hold the file). */
export const runOutcome = async (dbUrl: string, duckdbPath: string): Promise<RunOutcome> => {
  const tables = await starSchemaContent(duckdbPath);
  const sql = createPgClient(dbUrl, { max: 1 });
  try {
    for (const [name, select] of Object.entries(READ_MODELS)) tables[name] = await queryContent(sql, select);
    const { rows } = await sql.query<{ events: string; duplicates: string }>(
      'SELECT count(*) AS events, count(*) - count(DISTINCT event_id) AS duplicates FROM event_store.events');
    return { tables, events: Number(rows[0]!.events), duplicateEvents: Number(rows[0]!.duplicates) };
  } finally {
    await sql.close();
  }
};

/** The tables whose content differs between two outcomes (empty: equal). */
export const outcomeDifferences = (actual: RunOutcome, expected: RunOutcome): Array<{ table: string; rows: [number | undefined, number | undefined] }> =>
  [...new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])]
    .filter((t) => actual.tables[t]?.hash !== expected.tables[t]?.hash || actual.tables[t]?.rows !== expected.tables[t]?.rows)
    .map((t) => ({ table: t, rows: [actual.tables[t]?.rows, expected.tables[t]?.rows] }));
