-- The role olist_dw_audit is cluster-wide (other databases of the server may use it): it stays.
DROP TABLE IF EXISTS security_audit.audit_log;
DROP FUNCTION IF EXISTS security_audit.refuse_change();
DROP TABLE IF EXISTS security_audit.api_keys;
DROP TABLE IF EXISTS security_audit.users;
DROP SCHEMA IF EXISTS security_audit;
