-- The `mart` schema (spec §8): analytical marts rebuilt from the `core` star schema.
--
-- Run by MartRefresher (libs/analytics/src/marts) at the start of every refresh, in the refresh's
-- transaction, so it must stay idempotent (IF NOT EXISTS). The marts themselves are defined in the other
-- files of this directory (one per table, each a `CREATE OR REPLACE TABLE mart.<name> AS …` plus its
-- comments). They are not migrations: every refresh runs all of them in ONE transaction after projector
-- batches, so readers on other connections see all the old marts or all the new ones, never a mix or a
-- half-built table. mart.refresh_log records each refresh with the star schema checkpoint it was built from.

CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE IF NOT EXISTS mart.refresh_log (
  refreshed_at      TIMESTAMP NOT NULL,  -- commit time of the refresh (UTC, wall clock)
  projection        VARCHAR,             -- core.projection_checkpoint row the marts were built from
  checkpoint        VARCHAR,             -- its checkpoint in the refresh's snapshot (NULL: nothing projected)
  events_projected  BIGINT,
  marts             VARCHAR[] NOT NULL,  -- tables rebuilt, e.g. ['mart.monthly_revenue', …]
  sql_checksum      VARCHAR NOT NULL,    -- SHA-256 of the mart definitions run (which version built them)
  duration_ms       BIGINT NOT NULL
);
