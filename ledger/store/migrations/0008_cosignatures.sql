-- Witnesses' cosignatures (C2SP tlog-cosignature lines) on the ledger's checkpoints,
-- served with the checkpoint. Each is checked by whoever trusts that witness's key.
CREATE TABLE ledger.cosignatures (
    size        bigint NOT NULL REFERENCES ledger.checkpoints (size),
    witness     text NOT NULL CHECK (witness <> ''),
    key_id      bytea NOT NULL CHECK (octet_length(key_id) = 4),
    line        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (size, witness, key_id)
);
COMMENT ON TABLE ledger.cosignatures IS
    'Witness cosignatures of checkpoints, one per checkpoint and witness key. Append-only.';
CREATE TRIGGER cosignatures_append_only BEFORE UPDATE OR DELETE ON ledger.cosignatures
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON ledger.cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

DO $$
BEGIN
    EXECUTE 'GRANT SELECT ON ledger.cosignatures TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.cosignatures TO ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: cosignatures rely on triggers alone';
END
$$;
