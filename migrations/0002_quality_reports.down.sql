DROP TABLE IF EXISTS data_quality.reports;
DROP TABLE IF EXISTS data_quality.checks;
DROP TABLE IF EXISTS data_quality.rules;
UPDATE etl_orchestration.pipeline_runs SET status = 'RUNNING' WHERE status = 'LOADED';
ALTER TABLE etl_orchestration.pipeline_runs
  DROP COLUMN quality_score,
  DROP COLUMN outcome,
  DROP COLUMN loaded_at,
  DROP CONSTRAINT pipeline_runs_status_check;
ALTER TABLE etl_orchestration.pipeline_runs ADD CONSTRAINT pipeline_runs_status_check CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED'));
