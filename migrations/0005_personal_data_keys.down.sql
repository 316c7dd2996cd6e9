DROP TABLE IF EXISTS security_audit.master_key_check;
DROP TABLE IF EXISTS security_audit.data_keys;
