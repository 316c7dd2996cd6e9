-- Server-side ingestion statistics: one row per posted batch (SourceBatchIngested), summed per run and file.

CREATE TABLE etl_orchestration.batch_executions (
  run_id             uuid NOT NULL,
  file               text NOT NULL,
  from_line          integer NOT NULL,
  to_line            integer NOT NULL,
  rows               integer NOT NULL,
  accepted           integer NOT NULL,
  duplicates         integer NOT NULL,
  rejected           integer NOT NULL,
  events_appended    integer NOT NULL,
  rejection_reasons  jsonb NOT NULL,
  recorded_at        timestamptz NOT NULL,
  PRIMARY KEY (run_id, file, from_line, to_line)
);

-- Per run and file, as the server counted them (task_executions holds what the loader reported at /complete).
CREATE VIEW etl_orchestration.file_statistics AS
SELECT run_id, file, count(*) AS batches, sum(rows) AS rows, sum(accepted) AS accepted, sum(duplicates) AS duplicates,
       sum(rejected) AS rejected, sum(events_appended) AS events_appended, min(from_line) AS first_line, max(to_line) AS last_line,
       min(recorded_at) AS first_batch_at, max(recorded_at) AS last_batch_at
FROM etl_orchestration.batch_executions
GROUP BY run_id, file;
