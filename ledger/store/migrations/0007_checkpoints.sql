-- Signed checkpoints (C2SP tlog-checkpoint in a signed note) the ledger issued: one per
-- tree size, never changed. The signing key is not in the database.
CREATE TABLE ledger.checkpoints (
    size      bigint PRIMARY KEY CHECK (size >= 0),
    root      bytea NOT NULL CHECK (octet_length(root) = 32),
    note      text NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE ledger.checkpoints IS
    'Signed checkpoints of the Merkle tree over ledger.events, one per size. Append-only.';
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger.checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON ledger.checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

DO $$
BEGIN
    EXECUTE 'GRANT SELECT ON ledger.checkpoints TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.checkpoints TO ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: checkpoints rely on triggers alone';
END
$$;
