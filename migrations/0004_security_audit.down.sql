-- The role olist_dw_audit is cluster-wide (other databases of the server may use it): it stays.
DROP TABLE IF EXISTS security_audit.audit_log;
DROP FUNCTION IF EXISTS security_audit.refuse_change();
DROP TABLE IF EXISTS security_audit.api_keys;
DROP TABLE IF EXISTS security_audit.users;
-- The data keys (security_audit.data_keys, made by the key store itself: libs/personal-data) are not a read model:
-- reverting the read models keeps them, and so their schema.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'security_audit') THEN
    DROP SCHEMA IF EXISTS security_audit;
  END IF;
END
$$;
