-- Quality checks (spec §9): a loaded run waits for its checks, then completes with an outcome and a score.

ALTER TABLE etl_orchestration.pipeline_runs DROP CONSTRAINT pipeline_runs_status_check;
ALTER TABLE etl_orchestration.pipeline_runs
  ADD CONSTRAINT pipeline_runs_status_check CHECK (status IN ('RUNNING', 'LOADED', 'COMPLETED', 'FAILED')),
  ADD COLUMN loaded_at     timestamptz,
  ADD COLUMN outcome       text CHECK (outcome IN ('SUCCESS', 'WARN', 'FAILED')),
  ADD COLUMN quality_score numeric(5,2);

-- The rules as last checked (the definition travels with each QualityCheckRecorded event).
CREATE TABLE data_quality.rules (
  rule_id      text PRIMARY KEY,
  rule_set     text NOT NULL,
  rule_type    text NOT NULL CHECK (rule_type IN ('NOT_NULL', 'UNIQUE', 'RANGE', 'REFERENTIAL', 'ACCEPTED_VALUES', 'FRESHNESS')),
  severity     text NOT NULL CHECK (severity IN ('CRITICAL', 'WARNING', 'INFO')),
  table_name   text NOT NULL,
  description  text NOT NULL,
  threshold    numeric NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- One row per run and rule: the latest check (a failed run that is resumed is checked again).
CREATE TABLE data_quality.checks (
  run_id        uuid NOT NULL,
  rule_id       text NOT NULL,
  rule_set      text NOT NULL,
  severity      text NOT NULL,
  threshold     numeric NOT NULL,
  rows_checked  bigint NOT NULL,
  rows_failed   bigint NOT NULL,
  passed        boolean NOT NULL,
  samples       jsonb NOT NULL,
  error         text,
  checked_at    timestamptz NOT NULL,
  PRIMARY KEY (run_id, rule_id)
);
CREATE INDEX checks_failed ON data_quality.checks (run_id) WHERE NOT passed;

-- One report per run: the score (0-100, share of passed checks weighted by severity) and the outcome.
CREATE TABLE data_quality.reports (
  run_id           uuid PRIMARY KEY,
  rule_set         text NOT NULL,
  score            numeric(5,2) NOT NULL,
  outcome          text NOT NULL CHECK (outcome IN ('SUCCESS', 'WARN', 'FAILED')),
  checks           integer NOT NULL,
  passed           integer NOT NULL,
  failed           integer NOT NULL,
  failed_critical  integer NOT NULL,
  checked_at       timestamptz NOT NULL
);
