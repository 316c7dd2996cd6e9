DROP TABLE IF EXISTS data_quality.invalid_rows;
DROP TABLE IF EXISTS etl_orchestration.task_executions;
DROP TABLE IF EXISTS etl_orchestration.pipeline_runs;
DROP TABLE IF EXISTS read_models.checkpoints;
DROP SCHEMA IF EXISTS data_quality;
DROP SCHEMA IF EXISTS etl_orchestration;
DROP SCHEMA IF EXISTS read_models;
