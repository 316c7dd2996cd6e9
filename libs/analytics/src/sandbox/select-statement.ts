import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import {
  InvalidQueryError,
  MultipleStatementsError,
  NotASelectError,
  QueryOutOfMemoryError,
  QueryRefusedError,
  type QueryError,
} from './query-runner.js';

/** Errors may come from another realm (the native addon under jest's VM modules): no instanceof. */
export const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : String(error);

/** `Binder Error`, `Permission Error`… : the kind DuckDB names at the start of its message. */
const duckDbKind = (message: string): string | undefined => /^([A-Z][A-Za-z ]*? Error):/.exec(message)?.[1];

const SELECT_ONLY =
  'only one SELECT statement may run here (SELECT, WITH … SELECT, FROM …, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE): ' +
  'no SET, RESET, PRAGMA, CALL, EXPLAIN, CREATE, INSERT, UPDATE, DELETE, DROP, ATTACH, COPY, EXPORT, INSTALL or LOAD';

/**
 * What a DuckDB error of an analyst's statement means:
 * - `Out of Memory Error`: the query needed more than the sandbox's `memory_limit` (QUERY.OUT_OF_MEMORY);
 * - `Permission Error` (a file, the network, an extension directory), a locked setting, or a function of an
 *   extension that may not be loaded: the sandbox refused it (QUERY.REFUSED);
 * - anything else (syntax, binder, catalog, conversion errors…): QUERY.INVALID with DuckDB's message.
 */
export const queryErrorOfDuckDb = (error: unknown, memoryLimit: string): QueryError => {
  const message = messageOf(error).trim();
  const kind = duckDbKind(message);
  const details = { duckdbError: kind ?? null };
  if (kind === 'Out of Memory Error') {
    return new QueryOutOfMemoryError(`the query needs more memory than the sandbox has (memory_limit ${memoryLimit}, no spilling to disk): ${message}`, {
      ...details,
      memoryLimit,
    });
  }
  if (kind === 'Permission Error' || /the configuration has been locked|disabled (by|through) configuration|exists in the \w+ extension/i.test(message)) {
    return new QueryRefusedError(`refused by the sandbox: ${message}`, details);
  }
  return new InvalidQueryError(message || 'DuckDB could not run the statement', details);
};

interface SerializedSql {
  readonly error: boolean;
  readonly error_message?: string;
  readonly statements?: unknown;
}

/**
 * Functions a SELECT may call in DuckDB 1.5 that change the instance or run SQL this check never saw,
 * refused whatever the settings (`lock_configuration` does not stop them):
 * - `enable_logging`, `disable_logging`, `truncate_duckdb_logs`: the instance-wide log, which would keep
 *   every analyst's SQL in `duckdb_logs` for the others to read, in memory;
 * - `enable_profiling`, `disable_profiling`: profiling output (printed to the server's stdout);
 * - `enable_peg_parser`, `disable_peg_parser`, `check_peg_parser`: the parser;
 * - `checkpoint`, `force_checkpoint`;
 * - `query`, `json_execute_serialized_sql`: run SQL given as text;
 * - `arrow_scan`, `arrow_scan_dumb`: read memory at addresses given as numbers.
 * libs/analytics/test/sandbox.spec.ts lists every table function of the pinned DuckDB as refused here or
 * reviewed as read-only, so an upgrade that adds one fails until it is reviewed.
 */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'enable_profiling',
  'disable_profiling',
  'enable_peg_parser',
  'disable_peg_parser',
  'check_peg_parser',
  'checkpoint',
  'force_checkpoint',
  'query',
  'json_execute_serialized_sql',
  'arrow_scan',
  'arrow_scan_dumb',
]);

/** Every function the parser's tree calls (`function_name` at any depth), lower-cased. */
const calledFunctions = (tree: unknown, into = new Set<string>()): Set<string> => {
  if (Array.isArray(tree)) for (const node of tree) calledFunctions(node, into);
  else if (tree !== null && typeof tree === 'object') {
    const { function_name: name } = tree as { function_name?: unknown };
    if (typeof name === 'string') into.add(name.toLowerCase());
    for (const value of Object.values(tree)) calledFunctions(value, into);
  }
  return into;
};

/**
 * Checks that `sql` is ONE SELECT statement, on DuckDB's own terms rather than by pattern, and prepares
 * it (the caller destroys the statement):
 * 1. the parser splits it into statements: exactly one (QUERY.MULTIPLE_STATEMENTS, QUERY.INVALID for none
 *    or a syntax error);
 * 2. the parser's tree: `json_serialize_sql` serializes SELECT statements only, so SET, PRAGMA (even the
 *    ones DuckDB rewrites into a SELECT, such as `PRAGMA version`), CALL, EXPLAIN, ATTACH, COPY… are refused
 *    (QUERY.NOT_A_SELECT) before anything is bound; and no function of {@link REFUSED_FUNCTIONS} is called
 *    (QUERY.REFUSED);
 * 3. the binder: the prepared statement's type must be SELECT (QUERY.NOT_A_SELECT), and it takes no
 *    parameters. Binding is where DuckDB refuses files and extensions (QUERY.REFUSED).
 */
export const prepareSelect = async (connection: DuckDBConnection, sql: string, memoryLimit: string): Promise<DuckDBPreparedStatement> => {
  let extracted;
  try {
    extracted = await connection.extractStatements(sql);
  } catch (error) {
    // An empty text (or only comments) fails without a message.
    const message = messageOf(error).replace(/^Failed to extract statements: /, '');
    if (/^Error in native callback$/.test(message)) throw new InvalidQueryError('the SQL holds no statement: give one SELECT statement', { duckdbError: null });
    throw queryErrorOfDuckDb(message, memoryLimit);
  }
  if (extracted.count === 0) throw new InvalidQueryError('the SQL holds no statement: give one SELECT statement', { duckdbError: null });
  if (extracted.count > 1) {
    throw new MultipleStatementsError(
      `the SQL holds ${extracted.count} statements; send one SELECT at a time (a PIVOT without an IN list counts as two: list its values)`,
      { statements: extracted.count },
    );
  }
  const tree = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const serialized = JSON.parse(String(tree.getRows()[0]![0])) as SerializedSql;
  if (serialized.error) {
    if (/only SELECT statements/i.test(serialized.error_message ?? '')) throw new NotASelectError(SELECT_ONLY, { statementType: null });
    throw new InvalidQueryError(serialized.error_message ?? 'DuckDB could not parse the statement', { duckdbError: null });
  }
  const refused = [...calledFunctions(serialized.statements)].filter((name) => REFUSED_FUNCTIONS.has(name));
  if (refused.length > 0) {
    throw new QueryRefusedError(`refused by the sandbox: ${refused.map((name) => `${name}()`).join(', ')} may not be called (it changes the sandbox or runs SQL given as text)`, {
      duckdbError: null,
      functions: refused,
    });
  }
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await extracted.prepare(0);
  } catch (error) {
    throw queryErrorOfDuckDb(error, memoryLimit);
  }
  if (prepared.statementType !== StatementType.SELECT) {
    const statementType = StatementType[prepared.statementType] ?? String(prepared.statementType);
    prepared.destroySync();
    throw new NotASelectError(`${SELECT_ONLY}; this statement is ${statementType}`, { statementType });
  }
  if (prepared.parameterCount > 0) {
    prepared.destroySync();
    throw new InvalidQueryError('the statement has parameters ($1, ?): write the values into the SQL', { duckdbError: null });
  }
  return prepared;
};
