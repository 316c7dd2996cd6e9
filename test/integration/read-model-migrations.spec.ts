import { MIGRATIONS_DIR } from '@olist/infrastructure';
import { createPgliteClient, migrateDown, migrateUp } from '@olist/postgres';

const ALL = ['0001_operational_read_models', '0002_quality_reports', '0003_batch_statistics', '0004_security_audit'];

describe('Postgres read-model migrations (umzug over migrations/*.up.sql and *.down.sql)', () => {
  it('apply once, revert completely, and apply again', async () => {
    const sql = await createPgliteClient();
    try {
      const tables = async () =>
        (await sql.query<{ t: string }>(
          `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
           WHERE table_schema IN ('read_models', 'etl_orchestration', 'data_quality', 'security_audit') ORDER BY 1`)).rows.map((r) => r.t);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual(ALL);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual([]);
      expect(await tables()).toEqual([
        'data_quality.checks', 'data_quality.invalid_rows', 'data_quality.reports', 'data_quality.rules',
        'etl_orchestration.batch_executions', 'etl_orchestration.file_statistics', 'etl_orchestration.pipeline_runs', 'etl_orchestration.task_executions',
        'read_models.checkpoints', 'security_audit.api_keys', 'security_audit.audit_log', 'security_audit.users',
      ]);
      expect(await migrateDown(sql, MIGRATIONS_DIR)).toEqual([...ALL].reverse());
      expect(await tables()).toEqual([]);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual(ALL);
    } finally {
      await sql.close();
    }
  });

  it('0002 down keeps the runs, a loaded one back to running', async () => {
    const sql = await createPgliteClient();
    try {
      await migrateUp(sql, MIGRATIONS_DIR);
      await sql.query(`INSERT INTO etl_orchestration.pipeline_runs (run_id, source, status, started_at, loaded_at)
        VALUES ('00000000-0000-4000-8000-000000000001', 'x', 'LOADED', now(), now())`);
      expect(await migrateDown(sql, MIGRATIONS_DIR, '0002_quality_reports')).toEqual(['0004_security_audit', '0003_batch_statistics', '0002_quality_reports']);
      expect((await sql.query('SELECT status FROM etl_orchestration.pipeline_runs')).rows).toEqual([{ status: 'RUNNING' }]);
      await expect(sql.query(`UPDATE etl_orchestration.pipeline_runs SET status = 'LOADED'`)).rejects.toThrow(/pipeline_runs_status_check/);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual(['0002_quality_reports', '0003_batch_statistics', '0004_security_audit']);
    } finally {
      await sql.close();
    }
  });
});
