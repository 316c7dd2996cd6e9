-- Operational read models, built by the projector from the event log (spec §8); drop and rebuild at will.

CREATE SCHEMA IF NOT EXISTS read_models;
CREATE TABLE read_models.checkpoints (
  projection        text PRIMARY KEY,
  checkpoint        text NOT NULL,
  events_projected  bigint NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA IF NOT EXISTS etl_orchestration;
CREATE TABLE etl_orchestration.pipeline_runs (
  run_id        uuid PRIMARY KEY,
  source        text NOT NULL,
  status        text NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
  started_at    timestamptz NOT NULL,
  completed_at  timestamptz,
  failed_at     timestamptz,
  error         text,
  resumed_count integer NOT NULL DEFAULT 0
);
-- One task per source file of a run, with its load metrics.
CREATE TABLE etl_orchestration.task_executions (
  run_id           uuid NOT NULL REFERENCES etl_orchestration.pipeline_runs (run_id),
  file             text NOT NULL,
  rows_read        integer NOT NULL,
  accepted         integer NOT NULL,
  duplicates       integer NOT NULL,
  rejected         integer NOT NULL,
  failed           integer NOT NULL DEFAULT 0,
  events_appended  integer NOT NULL,
  recorded_at      timestamptz NOT NULL,
  PRIMARY KEY (run_id, file)
);

CREATE SCHEMA IF NOT EXISTS data_quality;
-- The quarantine: every rejected source row with all its reasons.
CREATE TABLE data_quality.invalid_rows (
  event_id     uuid PRIMARY KEY,
  run_id       uuid NOT NULL,
  file         text NOT NULL,
  line         integer NOT NULL,
  raw          jsonb NOT NULL,
  reasons      text[] NOT NULL,
  rejected_at  timestamptz NOT NULL
);
CREATE INDEX invalid_rows_run_file ON data_quality.invalid_rows (run_id, file, line);
CREATE INDEX invalid_rows_reasons ON data_quality.invalid_rows USING gin (reasons);
