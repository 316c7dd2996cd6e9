import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbClient, DuckDbDatabase, type SqlParams } from '@olist/duckdb';
import { REFUSED_FUNCTIONS, SandboxQueryRunner, type QueryResult, type SandboxQueryRunnerOptions } from '../src/index.js';

/** The table functions of the pinned DuckDB (1.5.5) reviewed as reading only (the file readers: DuckDB's settings refuse their files). */
const READ_ONLY_TABLE_FUNCTIONS = [
  ...['approx_database_count', 'columns', 'connection_count', 'constraints', 'coordinate_systems', 'databases', 'dependencies', 'extensions'].map((n) => `duckdb_${n}`),
  ...['external_file_cache', 'functions', 'indexes', 'keywords', 'log_contexts', 'logs', 'memory', 'optimizers', 'prepared_statements'].map((n) => `duckdb_${n}`),
  ...['schemas', 'secret_types', 'secrets', 'sequences', 'settings', 'table_sample', 'tables', 'temporary_files', 'types', 'variables', 'views'].map((n) => `duckdb_${n}`),
  ...['collations', 'database_size', 'metadata_info', 'platform', 'show', 'storage_info', 'table_info', 'user_agent', 'version'].map((n) => `pragma_${n}`),
  'generate_series', 'range', 'unnest', 'repeat', 'repeat_row', 'summary', 'seq_scan', 'query_table', 'sql_auto_complete', 'test_all_types', 'test_vector_types',
  'icu_calendar_names', 'pg_timezone_names', 'json_each', 'json_tree', 'which_secret',
  'duckdb_logs_parsed', 'duckdb_profiling_settings', 'histogram', 'histogram_values',
  'glob', 'read_blob', 'read_text', 'read_csv', 'read_csv_auto', 'read_duckdb', 'read_json', 'read_json_auto', 'read_json_objects', 'read_json_objects_auto',
  'read_ndjson', 'read_ndjson_auto', 'read_ndjson_objects', 'read_parquet', 'parquet_scan', 'parquet_bloom_probe', 'parquet_file_metadata', 'parquet_full_metadata',
  'parquet_kv_metadata', 'parquet_metadata', 'parquet_schema', 'sniff_csv',
];

/**
 * The ad-hoc SQL engine (docs/ad-hoc-sql.md) on a small live DuckDB file: a few `core` tables, a mart, the
 * projection checkpoint and the mart refresh log, as the projector keeps them. The live file is opened
 * read-write by this process, as the projector does.
 */
const LIVE_SCHEMA = `
  CREATE SCHEMA core;
  CREATE SCHEMA core_state;
  CREATE SCHEMA mart;
  CREATE TABLE core.projection_checkpoint (projection VARCHAR PRIMARY KEY, checkpoint VARCHAR, events_projected BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL);
  CREATE TABLE core.dim_customer (customer_key BIGINT, customer_id VARCHAR, customer_state VARCHAR);
  CREATE TABLE core.fact_orders (order_id VARCHAR, customer_key BIGINT, purchased_at TIMESTAMP, status VARCHAR, items_value DECIMAL(18,2));
  CREATE TABLE core_state.secret_state (token VARCHAR);
  CREATE TABLE mart.refresh_log (refreshed_at TIMESTAMP NOT NULL, projection VARCHAR, checkpoint VARCHAR, events_projected BIGINT, marts VARCHAR[] NOT NULL, sql_checksum VARCHAR NOT NULL, duration_ms BIGINT NOT NULL);
  CREATE TABLE mart.monthly_revenue (month DATE, orders BIGINT, gmv DECIMAL(18,2));
  INSERT INTO core_state.secret_state VALUES ('not for analysts');
  INSERT INTO core.dim_customer VALUES (1, 'c1', 'SP'), (2, 'c2', 'RJ'), (3, 'c3', 'SP');
  INSERT INTO core.fact_orders VALUES
    ('o1', 1, TIMESTAMP '2017-01-05 10:00:00', 'delivered', 100.50),
    ('o2', 2, TIMESTAMP '2017-01-20 11:00:00', 'delivered', 20.00),
    ('o3', 1, TIMESTAMP '2017-02-03 12:00:00', 'shipped', 35.25),
    ('o4', 3, TIMESTAMP '2017-02-14 13:00:00', 'canceled', 12.00);
`;

/** One projector batch and one mart refresh, as the projector commits them: version `v` of the live schemas. */
const advance = async (client: DuckDbClient, v: number) => {
  await client.transaction(async (tx) => {
    await tx.run(`INSERT INTO core.fact_orders VALUES ('o-v${v}', 2, TIMESTAMP '2017-03-01 09:00:00', 'delivered', ${v}.00)`);
    await tx.run(`INSERT OR REPLACE INTO core.projection_checkpoint VALUES ('core_star_schema', 'cp-${v}', ${v}, now())`);
    await tx.run(`CREATE OR REPLACE TABLE mart.monthly_revenue AS
      SELECT CAST(date_trunc('month', purchased_at) AS DATE) AS month, count(*) AS orders, CAST(sum(items_value) AS DECIMAL(18,2)) AS gmv
      FROM core.fact_orders WHERE status <> 'canceled' GROUP BY 1`);
    await tx.run(`COMMENT ON TABLE mart.monthly_revenue IS 'Revenue per purchase month'; COMMENT ON COLUMN mart.monthly_revenue.gmv IS 'GMV in BRL'`);
    await tx.run(`INSERT INTO mart.refresh_log VALUES (TIMESTAMP '2026-01-01 00:00:00' + to_seconds(${v}), 'core_star_schema', 'cp-${v}', ${v}, ['mart.monthly_revenue'], 'sha', 1)`);
  });
};

const TIMEOUT_MS = 1_500;

describe('ad-hoc SQL on a sandboxed snapshot (SandboxQueryRunner)', () => {
  let dir: string;
  let livePath: string;
  let snapshotDir: string;
  let live: DuckDbDatabase;
  let writer: DuckDbClient;
  let runner: SandboxQueryRunner;
  const runners: SandboxQueryRunner[] = [];

  const newRunner = (options: Partial<SandboxQueryRunnerOptions> = {}, owner: Pick<DuckDbDatabase, 'connect'> = live) => {
    // One owner per snapshot directory: each runner has its own.
    const made = new SandboxQueryRunner(owner, { snapshotDir: join(dir, `snapshots-${runners.length}`), timeoutMs: TIMEOUT_MS, memoryLimit: '256MB', threads: 1, concurrency: 2, ...options });
    runners.push(made);
    return made;
  };
  const query = (sql: string, limit?: number): Promise<QueryResult> => runner.run({ sql, limit });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'olist-sandbox-'));
    livePath = join(dir, 'live', 'olist.duckdb');
    snapshotDir = join(dir, 'live', 'query-snapshots');
    live = await DuckDbDatabase.open(livePath);
    writer = await live.connect();
    await writer.run(LIVE_SCHEMA);
    await advance(writer, 1);
    runner = newRunner({ snapshotDir });
  });

  afterAll(async () => {
    for (const r of runners) await r.close();
    writer?.close();
    live?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('analytical SQL', () => {
    it('answers joins, window functions and CTEs over core and mart, typed, from one snapshot', async () => {
      const result = await query(`
        WITH per_customer AS (
          SELECT c.customer_state, o.customer_key, sum(o.items_value) AS spent, count(*) AS orders
          FROM core.fact_orders o JOIN core.dim_customer c USING (customer_key)
          WHERE o.status <> 'canceled' GROUP BY ALL)
        SELECT customer_state, customer_key, spent, orders,
               rank() OVER (PARTITION BY customer_state ORDER BY spent DESC) AS rank_in_state,
               (SELECT max(gmv) FROM mart.monthly_revenue) AS best_month_gmv
        FROM per_customer ORDER BY customer_state, rank_in_state`);
      expect(result.columns).toEqual([
        { name: 'customer_state', type: 'VARCHAR' },
        { name: 'customer_key', type: 'BIGINT' },
        { name: 'spent', type: 'DECIMAL(38,2)' },
        { name: 'orders', type: 'BIGINT' },
        { name: 'rank_in_state', type: 'BIGINT' },
        { name: 'best_month_gmv', type: 'DECIMAL(18,2)' },
      ]);
      expect(result.rows).toEqual([
        { customer_state: 'RJ', customer_key: 2, spent: 21, orders: 2, rank_in_state: 1, best_month_gmv: 120.5 },
        { customer_state: 'SP', customer_key: 1, spent: 135.75, orders: 2, rank_in_state: 1, best_month_gmv: 120.5 },
      ]);
      expect(result).toMatchObject({ rowCount: 2, truncated: false, limit: 1000 });
      expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(result.snapshot).toMatchObject({ checkpoint: 'cp-1', eventsProjected: 1, martRefresh: { sequence: 1, refreshedAt: '2026-01-01T00:00:01.000Z' } });
    });

    it('answers dates, timestamps, lists and structs JSON-safe, names repeated columns apart, and keeps the marts\' comments', async () => {
      const result = await query(`SELECT month, TIMESTAMP '2017-01-05 10:00:00' AS ts, [1, 2] AS list, {'a': 1.5} AS struct, 1 AS x, 2 AS x
                                  FROM mart.monthly_revenue ORDER BY month LIMIT 1`);
      expect(result.columns.map((c) => c.name)).toEqual(['month', 'ts', 'list', 'struct', 'x', 'x:1']);
      expect(result.rows[0]).toEqual({ month: '2017-01-01', ts: '2017-01-05T10:00:00.000Z', list: [1, 2], struct: { a: 1.5 }, x: 1, 'x:1': 2 });
      const comments = await query(`SELECT t.comment AS mart, c.comment AS gmv FROM duckdb_tables() t JOIN duckdb_columns() c USING (schema_name, table_name)
                                    WHERE t.schema_name = 'mart' AND t.table_name = 'monthly_revenue' AND c.column_name = 'gmv'`);
      expect(comments.rows).toEqual([{ mart: 'Revenue per purchase month', gmv: 'GMV in BRL' }]);
    });

    it('copies only core and mart: the projector\'s own schemas are not in the snapshot', async () => {
      await expect(query('SELECT * FROM core_state.secret_state')).rejects.toMatchObject({ code: 'QUERY.INVALID', kind: 'invalid' });
      const schemas = await query(`SELECT DISTINCT schema_name FROM duckdb_tables() ORDER BY 1`);
      expect(schemas.rows).toEqual([{ schema_name: 'core' }, { schema_name: 'mart' }]);
    });
  });

  describe('the row cap', () => {
    it('answers at most limit rows and says when there were more', async () => {
      const capped = await query('SELECT range AS n FROM range(5000)', 10);
      expect(capped).toMatchObject({ rowCount: 10, truncated: true, limit: 10 });
      expect(capped.rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await query('SELECT range AS n FROM range(5000)', 5000)).toMatchObject({ rowCount: 5000, truncated: false });
      expect(await query('SELECT range AS n FROM range(5000)')).toMatchObject({ rowCount: 1000, truncated: true, limit: 1000 });
    });

    it('streams a cross join of a trillion rows: the first rows, truncated, well within the timeout', async () => {
      const started = performance.now();
      const result = await query('SELECT * FROM range(1000000) a, range(1000000) b', 1000);
      expect(result).toMatchObject({ rowCount: 1000, truncated: true });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    });

    it('refuses a limit above the max rows or below 1', async () => {
      const small = newRunner({ maxRows: 50, defaultRows: 20 });
      await expect(small.run({ sql: 'SELECT 1', limit: 51 })).rejects.toMatchObject({ code: 'QUERY.INVALID', details: { parameter: 'limit' } });
      await expect(small.run({ sql: 'SELECT 1', limit: 0 })).rejects.toMatchObject({ code: 'QUERY.INVALID', details: { parameter: 'limit' } });
      expect(await small.run({ sql: 'SELECT * FROM range(100)' })).toMatchObject({ rowCount: 20, truncated: true, limit: 20 });
    });
  });

  describe('only one SELECT: every other statement, and every escape, is refused with its code', () => {
    const file = () => join(dir, 'live', 'exfiltrated.csv');
    const refusals: ReadonlyArray<[route: string, sql: () => string, code: string]> = [
      ['read_csv', () => `SELECT * FROM read_csv('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_csv_auto', () => `SELECT * FROM read_csv_auto('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_parquet', () => `SELECT * FROM read_parquet('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_json', () => `SELECT * FROM read_json('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_json_auto', () => `SELECT * FROM read_json_auto('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_text', () => `SELECT * FROM read_text('/etc/passwd')`, 'QUERY.REFUSED'],
      ['read_blob', () => `SELECT * FROM read_blob('/etc/passwd')`, 'QUERY.REFUSED'],
      ['glob', () => `SELECT * FROM glob('/etc/*')`, 'QUERY.REFUSED'],
      ['sniff_csv', () => `SELECT * FROM sniff_csv('/etc/passwd')`, 'QUERY.REFUSED'],
      ['a URL', () => `SELECT * FROM read_csv('https://example.com/data.csv')`, 'QUERY.REFUSED'],
      ['an extension function', () => `SELECT * FROM sqlite_scan('/etc/passwd', 'x')`, 'QUERY.REFUSED'],
      ['a file as a table', () => `SELECT * FROM '/etc/passwd'`, 'QUERY.INVALID'],
      ['getenv', () => `SELECT getenv('HOME')`, 'QUERY.INVALID'],
      ['ATTACH', () => `ATTACH '${livePath}' AS live`, 'QUERY.NOT_A_SELECT'],
      ['ATTACH in memory', () => `ATTACH ':memory:' AS scratch`, 'QUERY.NOT_A_SELECT'],
      ['DETACH', () => 'DETACH system', 'QUERY.NOT_A_SELECT'],
      ['COPY … TO', () => `COPY (SELECT * FROM core.fact_orders) TO '${file()}'`, 'QUERY.NOT_A_SELECT'],
      ['COPY … FROM', () => `COPY core.fact_orders FROM '/etc/passwd'`, 'QUERY.NOT_A_SELECT'],
      ['EXPORT DATABASE', () => `EXPORT DATABASE '${join(dir, 'export')}'`, 'QUERY.NOT_A_SELECT'],
      ['INSTALL', () => 'INSTALL httpfs', 'QUERY.NOT_A_SELECT'],
      ['LOAD', () => 'LOAD httpfs', 'QUERY.NOT_A_SELECT'],
      ['LOAD a file', () => `LOAD '${join(dir, 'evil.duckdb_extension')}'`, 'QUERY.NOT_A_SELECT'],
      ['SET', () => 'SET enable_external_access = true', 'QUERY.NOT_A_SELECT'],
      ['SET a resource', () => `SET memory_limit = '64GB'`, 'QUERY.NOT_A_SELECT'],
      ['SET VARIABLE', () => 'SET VARIABLE x = 1', 'QUERY.NOT_A_SELECT'],
      ['RESET', () => 'RESET threads', 'QUERY.NOT_A_SELECT'],
      ['PRAGMA that reads', () => 'PRAGMA version', 'QUERY.NOT_A_SELECT'],
      ['PRAGMA that sets', () => `PRAGMA memory_limit = '64GB'`, 'QUERY.NOT_A_SELECT'],
      ['CALL', () => 'CALL pragma_version()', 'QUERY.NOT_A_SELECT'],
      ['CHECKPOINT', () => 'CHECKPOINT', 'QUERY.NOT_A_SELECT'],
      ['EXPLAIN', () => 'EXPLAIN SELECT 1', 'QUERY.NOT_A_SELECT'],
      ['USE', () => 'USE system', 'QUERY.NOT_A_SELECT'],
      ['BEGIN', () => 'BEGIN TRANSACTION', 'QUERY.NOT_A_SELECT'],
      ['PREPARE', () => 'PREPARE p AS SELECT 1', 'QUERY.NOT_A_SELECT'],
      ['CREATE TABLE', () => 'CREATE TABLE core.x AS SELECT 1 AS a', 'QUERY.NOT_A_SELECT'],
      ['CREATE TEMP TABLE', () => 'CREATE TEMP TABLE x AS SELECT 1 AS a', 'QUERY.NOT_A_SELECT'],
      ['CREATE MACRO', () => 'CREATE MACRO m(x) AS x', 'QUERY.NOT_A_SELECT'],
      ['CREATE SECRET', () => `CREATE SECRET (TYPE s3, KEY_ID 'k', SECRET 's')`, 'QUERY.NOT_A_SELECT'],
      ['INSERT', () => `INSERT INTO core.fact_orders VALUES ('x', 1, now(), 'x', 1)`, 'QUERY.NOT_A_SELECT'],
      ['UPDATE', () => `UPDATE core.fact_orders SET status = 'x'`, 'QUERY.NOT_A_SELECT'],
      ['DELETE', () => 'DELETE FROM core.fact_orders', 'QUERY.NOT_A_SELECT'],
      ['DROP', () => 'DROP TABLE core.fact_orders', 'QUERY.NOT_A_SELECT'],
      ['MERGE', () => `MERGE INTO core.fact_orders t USING (SELECT 'o1' AS order_id) s USING (order_id) WHEN MATCHED THEN DELETE`, 'QUERY.NOT_A_SELECT'],
      ['VACUUM', () => 'VACUUM', 'QUERY.NOT_A_SELECT'],
      ['two statements', () => 'SELECT 1; SELECT 2', 'QUERY.MULTIPLE_STATEMENTS'],
      ['a SELECT then a SET', () => 'SELECT 1; SET threads = 8', 'QUERY.MULTIPLE_STATEMENTS'],
      ['a PIVOT without an IN list', () => 'PIVOT core.fact_orders ON status USING count(*)', 'QUERY.MULTIPLE_STATEMENTS'],
      ['a syntax error', () => 'SELEC 1', 'QUERY.INVALID'],
      ['an unknown table', () => 'SELECT * FROM core.nope', 'QUERY.INVALID'],
      ['no statement', () => '-- nothing', 'QUERY.INVALID'],
      ['a parameter', () => 'SELECT $1', 'QUERY.INVALID'],
    ];

    it.each(refusals)('%s', async (_route, sql, code) => {
      await expect(query(sql())).rejects.toMatchObject({ code, kind: 'invalid' });
    });

    it('refuses the table functions that change the sandbox or run SQL text, however they are written, and nothing changed', async () => {
      for (const name of REFUSED_FUNCTIONS) {
        await expect(query(`SELECT * FROM ${name}()`)).rejects.toMatchObject({ code: 'QUERY.REFUSED', details: { functions: [name] } });
      }
      for (const sql of [
        `SELECT * FROM system.main."ENABLE_LOGGING"(level := 'debug')`,
        `SELECT (SELECT count(*) FROM Enable_Logging()) AS n`,
        `WITH x AS (SELECT * FROM range(1)) SELECT * FROM x, enable_profiling()`,
        `SELECT * FROM query('SELECT * FROM enable_logging()')`,
        `SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM enable_logging()'))`,
      ]) {
        await expect(query(sql)).rejects.toMatchObject({ code: 'QUERY.REFUSED' });
      }
      expect((await query(`SELECT CAST(current_setting('enable_logging') AS BOOLEAN) AS logging, (SELECT count(*) FROM duckdb_logs) AS logs`)).rows).toEqual([{ logging: false, logs: 0 }]);
    });

    it('every table function of the pinned DuckDB is refused or reviewed as read-only (an upgrade that adds one fails here)', async () => {
      const { rows } = await query(`SELECT DISTINCT function_name AS name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') ORDER BY 1`);
      const unreviewed = rows.map((r) => r.name as string).filter((name) => !REFUSED_FUNCTIONS.has(name) && !READ_ONLY_TABLE_FUNCTIONS.includes(name));
      expect(unreviewed).toEqual([]);
    });

    it('says why, in DuckDB\'s words where DuckDB refused', async () => {
      await expect(query(`SELECT * FROM read_csv('/etc/passwd')`)).rejects.toMatchObject({ message: expect.stringMatching(/^refused by the sandbox: Permission Error/) });
      await expect(query('SELECT 1; SELECT 2')).rejects.toMatchObject({ message: expect.stringContaining('holds 2 statements'), details: { statements: 2 } });
      await expect(query('SELECT nope FROM core.fact_orders')).rejects.toMatchObject({ message: expect.stringMatching(/^Binder Error: .*nope/), details: { duckdbError: 'Binder Error' } });
      await expect(query('SET threads = 8')).rejects.toMatchObject({ message: expect.stringContaining('only one SELECT statement may run here') });
      expect(existsSync(join(dir, 'live', 'exfiltrated.csv'))).toBe(false);
      expect(existsSync(join(dir, 'export'))).toBe(false);
    });

    it('takes the SELECT forms: WITH, FROM-first, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, a PIVOT with an IN list, a trailing semicolon', async () => {
      for (const sql of [
        'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
        'FROM core.dim_customer SELECT customer_id',
        'VALUES (1, 2)',
        'TABLE core.dim_customer',
        'DESCRIBE core.fact_orders',
        'SHOW ALL TABLES',
        'SUMMARIZE core.fact_orders',
        `PIVOT core.fact_orders ON status IN ('delivered', 'shipped') USING count(*)`,
        'SELECT 1;',
      ]) {
        expect((await query(sql)).rowCount).toBeGreaterThan(0);
      }
    });
  });

  describe('no file but its own: /etc/passwd, the live DuckDB file and the snapshot directory', () => {
    const readers = (path: string) => [
      `SELECT * FROM read_text('${path}')`,
      `SELECT * FROM read_blob('${path}')`,
      `SELECT * FROM read_csv('${path}', all_varchar = true)`,
      `SELECT * FROM glob('${path}')`,
      `SELECT * FROM sniff_csv('${path}')`,
      `SELECT * FROM parquet_metadata('${path}')`,
    ];

    it('refuses every reader on each of them, while the snapshot file itself answers queries', async () => {
      const snapshotFile = ((await query('SELECT path FROM duckdb_databases() WHERE NOT internal')).rows[0]!.path as string);
      expect(snapshotFile.startsWith(snapshotDir)).toBe(true);
      for (const path of ['/etc/passwd', livePath, `${livePath}.wal`, snapshotDir, `${snapshotDir}/*`, snapshotFile, `${snapshotFile}.tmp/*`]) {
        for (const sql of readers(path)) await expect(query(sql)).rejects.toMatchObject({ code: 'QUERY.REFUSED' });
      }
      expect(await query(`SELECT readonly FROM duckdb_databases() WHERE NOT internal`)).toMatchObject({ rows: [{ readonly: true }] });
    });

    it('duckdb_settings() is a plain SELECT: it shows the sandbox locked, no secret and no path but the snapshot\'s and DuckDB\'s defaults, and changes nothing', async () => {
      process.env.OLIST_SANDBOX_TEST_SECRET = 'hunter2-secret-value';
      const { rows } = await query('SELECT name, value FROM duckdb_settings()', 10_000);
      const setting = new Map(rows.map((r) => [r.name as string, r.value as string]));
      expect(Object.fromEntries(['enable_external_access', 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions', 'allow_community_extensions', 'access_mode', 'threads', 'temp_directory'].map((n) => [n, setting.get(n)]))).toEqual({
        enable_external_access: 'false',
        lock_configuration: 'true',
        autoload_known_extensions: 'false',
        autoinstall_known_extensions: 'false',
        allow_community_extensions: 'false',
        access_mode: 'read_only',
        threads: '1',
        temp_directory: '',
      });
      const text = JSON.stringify(rows);
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain(livePath);
      for (const [name, value] of setting) {
        if (!value?.includes('/')) continue;
        // Paths: the snapshot file (its .wal and .tmp, allowed by DuckDB and unreadable), and DuckDB's default secret directory (unreadable).
        const paths = [...value.matchAll(/(?:^|[\s[,])(\/[^\s,\]]*)/g)].map((m) => m[1]!);
        for (const path of paths) expect([name, path.startsWith(snapshotDir) || path.endsWith('/.duckdb/stored_secrets')]).toEqual([name, true]);
      }
      delete process.env.OLIST_SANDBOX_TEST_SECRET;
      // Tried to change anything: refused, and nothing changed.
      for (const sql of ['SET enable_external_access = true', 'RESET lock_configuration', 'SET lock_configuration = false', `SET disabled_filesystems = ''`]) {
        await expect(query(sql)).rejects.toMatchObject({ code: 'QUERY.NOT_A_SELECT' });
      }
      const after = await query(`SELECT current_setting('enable_external_access') AS external, current_setting('memory_limit') AS memory, current_setting('lock_configuration') AS locked`);
      expect(after.rows).toEqual([{ external: false, memory: setting.get('memory_limit'), locked: true }]);
      await expect(query(`SELECT * FROM read_text('/etc/passwd')`)).rejects.toMatchObject({ code: 'QUERY.REFUSED' });
    });
  });

  describe('the timeout and the memory limit', () => {
    it('interrupts a query that runs forever within the timeout, and the sandbox answers the next query', async () => {
      const started = performance.now();
      await expect(query('WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t')).rejects.toMatchObject({
        code: 'QUERY.TIMEOUT',
        kind: 'invalid',
        details: { timeoutMs: TIMEOUT_MS },
        message: expect.stringContaining(`${TIMEOUT_MS} ms`),
      });
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(took).toBeLessThan(TIMEOUT_MS + 1_500);
      expect((await query('SELECT count(*) AS n FROM core.fact_orders')).rows).toEqual([{ n: 5 }]);
    });

    it('interrupts an aggregate over a cross join of a trillion rows', async () => {
      const started = performance.now();
      await expect(query('SELECT max(a.range * b.range) FROM range(1000000) a, range(1000000) b', 10)).rejects.toMatchObject({ code: 'QUERY.TIMEOUT' });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 1_500);
      expect((await query('SELECT 42 AS answer')).rows).toEqual([{ answer: 42 }]);
    });

    it('answers QUERY.OUT_OF_MEMORY past the memory limit (no spilling to disk)', async () => {
      const small = newRunner({ memoryLimit: '64MB', timeoutMs: 20_000 });
      for (const sql of ['SELECT count(*) FROM (SELECT DISTINCT range FROM range(50000000))', 'SELECT a.range + b.range AS s FROM range(100000) a, range(100000) b ORDER BY s DESC']) {
        await expect(small.run({ sql })).rejects.toMatchObject({ code: 'QUERY.OUT_OF_MEMORY', details: { memoryLimit: '64MB', duckdbError: 'Out of Memory Error' } });
      }
      expect((await small.run({ sql: 'SELECT count(*) AS n FROM core.dim_customer' })).rows).toEqual([{ n: 3 }]);
    });
  });

  describe('snapshots', () => {
    it('reuses the snapshot while the live schemas stay, and copies a new one once they move; the old file goes', async () => {
      const first = (await query('SELECT 1')).snapshot;
      expect((await query('SELECT 1')).snapshot).toEqual(first);
      await advance(writer, 2);
      const result = await query(`SELECT (SELECT count(*) FROM core.fact_orders) AS orders, (SELECT max(gmv) FROM mart.monthly_revenue WHERE month = DATE '2017-03-01') AS march`);
      expect(result.rows).toEqual([{ orders: 6, march: 3 }]);
      expect(result.snapshot).toMatchObject({ checkpoint: 'cp-2', eventsProjected: 2, martRefresh: { sequence: 2 } });
      expect(result.snapshot.takenAt >= first.takenAt).toBe(true);
      await waitFor(() => readdirSync(snapshotDir).filter((f) => f.endsWith('.duckdb')).length === 1);
    });

    it('is consistent: a batch that commits while the copy runs is in none of its tables, and the next query sees all of it', async () => {
      let interleaved = 0;
      const owner = { connect: async () => new InterleavingClient(await live.connect(), async (sql) => {
        // Right after the copy of the first table, the projector commits a batch and a mart refresh.
        if (interleaved === 0 && /^CREATE TABLE query_snapshot_\d+\."core"\."dim_customer"/.test(sql)) {
          interleaved++;
          const projector = await live.connect();
          await advance(projector, 3);
          projector.close();
        }
      }) };
      const isolated = newRunner({ snapshotDir: join(dir, 'isolated-snapshots') }, owner);
      const during = await isolated.run({ sql: `SELECT (SELECT count(*) FROM core.fact_orders) AS orders,
        (SELECT count(*) FROM mart.refresh_log) AS refreshes, (SELECT checkpoint FROM core.projection_checkpoint) AS checkpoint,
        (SELECT sum(orders) FROM mart.monthly_revenue) AS mart_orders` });
      expect(interleaved).toBe(1);
      // The state of before the batch in every table, and the snapshot says so.
      expect(during.rows).toEqual([{ orders: 6, refreshes: 2, checkpoint: 'cp-2', mart_orders: 5 }]);
      expect(during.snapshot).toMatchObject({ checkpoint: 'cp-2', martRefresh: { sequence: 2 } });
      const after = await isolated.run({ sql: `SELECT (SELECT count(*) FROM core.fact_orders) AS orders, (SELECT count(*) FROM mart.refresh_log) AS refreshes,
        (SELECT sum(orders) FROM mart.monthly_revenue) AS mart_orders` });
      expect(after.rows).toEqual([{ orders: 7, refreshes: 3, mart_orders: 6 }]);
      expect(after.snapshot).toMatchObject({ checkpoint: 'cp-3', martRefresh: { sequence: 3 } });
    });

    it('copies one snapshot at a time: queries that arrive during a copy wait for it; with every slot taken, a query gives up with QUERY.BUSY', async () => {
      let copies = 0;
      let release!: () => void;
      const blocked = new Promise<void>((resolve) => (release = resolve));
      const owner = { connect: async () => new InterleavingClient(await live.connect(), async (sql) => {
        if (/^CHECKPOINT query_snapshot_/.test(sql)) {
          copies++;
          await blocked;
        }
      }) };
      const gated = newRunner({ snapshotDir: join(dir, 'gated-snapshots'), concurrency: 2, timeoutMs: 800 }, owner);
      const waiting = [gated.run({ sql: 'SELECT 1 AS a' }), gated.run({ sql: 'SELECT 2 AS a' })];
      await expect(gated.run({ sql: 'SELECT 3 AS a' })).rejects.toMatchObject({ code: 'QUERY.BUSY', kind: 'unavailable', details: { concurrency: 2 } });
      release();
      const answers = await Promise.all(waiting);
      expect(answers.map((a) => a.rows[0]!.a)).toEqual([1, 2]);
      expect(copies).toBe(1);
      expect(answers[0]!.snapshot).toEqual(answers[1]!.snapshot);
    });

    it('removes the snapshot files when closed', async () => {
      const closing = newRunner({ snapshotDir: join(dir, 'closing-snapshots') });
      await closing.run({ sql: 'SELECT 1' });
      expect(readdirSync(join(dir, 'closing-snapshots')).length).toBeGreaterThan(0);
      await closing.close();
      await waitFor(() => readdirSync(join(dir, 'closing-snapshots')).length === 0);
      await expect(closing.run({ sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'QUERY.UNAVAILABLE', kind: 'unavailable' });
    });
  });
});

/** A DuckDbClient that calls `after(sql)` once each `run` is done: the snapshot copy's statements go through `run`. */
class InterleavingClient extends DuckDbClient {
  constructor(
    client: DuckDbClient,
    private readonly after: (sql: string) => Promise<void>,
  ) {
    super(client.connection);
  }
  override async run(sql: string, params?: SqlParams): Promise<number> {
    const changed = await super.run(sql, params);
    await this.after(sql.trim());
    return changed;
  }
}

const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
