-- V002: the `mart` schema (spec §8): analytical marts rebuilt from the `core` star schema.
--
-- The marts themselves are defined in projections/duckdb/marts/*.sql (one file per table, each a
-- `CREATE OR REPLACE TABLE mart.<name> AS …` plus its comments). They are not migrations: MartRefresher
-- (libs/analytics/src/marts) runs every file in ONE transaction after projector batches, so readers on
-- other connections see all the old marts or all the new ones, never a mix or a half-built table.
-- mart.refresh_log records each refresh with the star schema checkpoint it was built from.

CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE mart.refresh_log (
  refreshed_at      TIMESTAMP NOT NULL,  -- commit time of the refresh (UTC, wall clock)
  projection        VARCHAR,             -- core.projection_checkpoint row the marts were built from
  checkpoint        VARCHAR,             -- its checkpoint in the refresh's snapshot (NULL: nothing projected)
  events_projected  BIGINT,
  marts             VARCHAR[] NOT NULL,  -- tables rebuilt, e.g. ['mart.monthly_revenue', …]
  sql_checksum      VARCHAR NOT NULL,    -- SHA-256 of the mart definitions run (which version built them)
  duration_ms       BIGINT NOT NULL
);
