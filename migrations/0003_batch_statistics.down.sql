DROP VIEW IF EXISTS etl_orchestration.file_statistics;
DROP TABLE IF EXISTS etl_orchestration.batch_executions;
