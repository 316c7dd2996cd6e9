-- Security & audit (spec §10): users with one role each, their API keys (stored as SHA-256 only), and the
-- append-only request audit log.

CREATE SCHEMA IF NOT EXISTS security_audit;

CREATE TABLE security_audit.users (
  user_id      uuid PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._@-]{0,99}$'),
  role         text NOT NULL CHECK (role IN ('admin', 'loader', 'analyst', 'auditor', 'viewer')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled_at  timestamptz
);

CREATE TABLE security_audit.api_keys (
  key_id       uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES security_audit.users (user_id),
  -- The key's first characters, shown in listings and logs to tell keys apart; never enough to use it.
  prefix       text NOT NULL,
  -- SHA-256 (hex) of the whole key: keys are 192 random bits, so one hash is enough and allows this indexed lookup.
  key_hash     text NOT NULL UNIQUE,
  description  text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_user ON security_audit.api_keys (user_id);

CREATE TABLE security_audit.audit_log (
  entry_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  request_id   text,
  user_name    text,
  role         text,
  key_prefix   text,
  method       text NOT NULL,
  route        text,
  path         text NOT NULL,
  params       jsonb NOT NULL DEFAULT '{}'::jsonb,
  sql          text,
  status       integer NOT NULL,
  duration_ms  double precision NOT NULL,
  client       text
);
CREATE INDEX audit_log_user_at ON security_audit.audit_log (user_name, at);
CREATE INDEX audit_log_at ON security_audit.audit_log (at);

-- Append-only: the database refuses to change or remove an entry, whoever asks (TRUNCATE fires no DELETE trigger).
CREATE FUNCTION security_audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'security_audit.audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON security_audit.audit_log
  FOR EACH ROW EXECUTE FUNCTION security_audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON security_audit.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION security_audit.refuse_change();

-- The role the application takes for every statement on the audit log: it may only add and read entries.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'olist_dw_audit') THEN
    CREATE ROLE olist_dw_audit NOLOGIN;
  END IF;
END $$;
GRANT olist_dw_audit TO CURRENT_USER;
GRANT USAGE ON SCHEMA security_audit TO olist_dw_audit;
GRANT SELECT, INSERT ON security_audit.audit_log TO olist_dw_audit;

-- Row-level security, forced on the owner too: a user reads only their own entries, admins and auditors all.
ALTER TABLE security_audit.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_audit.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_append ON security_audit.audit_log FOR INSERT WITH CHECK (true);
CREATE POLICY audit_log_read ON security_audit.audit_log FOR SELECT USING (
  current_setting('olist_dw.role', true) IN ('admin', 'auditor') OR user_name = current_setting('olist_dw.user', true)
);
