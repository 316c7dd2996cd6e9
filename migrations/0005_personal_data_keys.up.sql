-- Personal data (docs/personal-data.md): the data keys that seal people's personal fields in the event log and
-- the quarantine, each wrapped (AES-256-GCM) by the master key, which is never stored here. Erasing a person
-- deletes their keys' material and keeps a tombstone, so what is re-posted for them later stays erased.

CREATE TABLE security_audit.data_keys (
  -- A customer id: the person holds one per order, and each of their keys is named by one.
  key_id       text PRIMARY KEY,
  -- The person (customer_unique_id), once known: a review's key can be made before its customer's row arrives.
  subject_id   text,
  -- base64(iv || ciphertext || tag) of the 32-byte data key under the master key; NULL once erased.
  wrapped_key  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  erased_at    timestamptz,
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX data_keys_subject ON security_audit.data_keys (subject_id);

-- One row: an HMAC of a constant under the master key, to refuse a wrong master key at start (every
-- personal field would otherwise read as unopenable).
CREATE TABLE security_audit.master_key_check (
  id     integer PRIMARY KEY CHECK (id = 1),
  check_value text NOT NULL
);
