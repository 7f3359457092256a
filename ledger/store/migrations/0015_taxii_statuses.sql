-- TAXII statuses: what became of each envelope posted to the inbox, kept at least a day
-- for the key that posted it (a status names objects: it is need-to-know). key_id is
-- NULL for a server run without keys. Rows older than a day are deleted lazily.
CREATE TABLE ledger.taxii_statuses (
    status_id  uuid PRIMARY KEY,
    key_id     text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    status     json NOT NULL
);
CREATE INDEX taxii_statuses_created ON ledger.taxii_statuses (created_at);
COMMENT ON TABLE ledger.taxii_statuses IS
    'TAXII 2.1 status resources of envelopes posted to the inbox, by the API key that posted them; kept at least 24 hours.';

DO $$
BEGIN
    EXECUTE 'REVOKE ALL ON ledger.taxii_statuses FROM PUBLIC';
    EXECUTE 'GRANT SELECT, INSERT, DELETE ON ledger.taxii_statuses TO ledger_service';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger_service absent: TAXII statuses readable by the owner only';
END
$$;
