import { MIGRATIONS_DIR } from '@olist/platform';
import { createPgliteClient, migrateDown, migrateUp } from '@olist/postgres';

describe('Postgres read-model migrations (umzug over migrations/*.up.sql and *.down.sql)', () => {
  it('apply once, revert completely, and apply again', async () => {
    const sql = await createPgliteClient();
    try {
      const tables = async () =>
        (await sql.query<{ t: string }>(
          `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
           WHERE table_schema IN ('read_models', 'etl_orchestration', 'data_quality') ORDER BY 1`)).rows.map((r) => r.t);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual(['0001_operational_read_models']);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual([]);
      expect(await tables()).toEqual([
        'data_quality.invalid_rows', 'etl_orchestration.pipeline_runs', 'etl_orchestration.task_executions', 'read_models.checkpoints',
      ]);
      expect(await migrateDown(sql, MIGRATIONS_DIR)).toEqual(['0001_operational_read_models']);
      expect(await tables()).toEqual([]);
      expect(await migrateUp(sql, MIGRATIONS_DIR)).toEqual(['0001_operational_read_models']);
    } finally {
      await sql.close();
    }
  });
});
