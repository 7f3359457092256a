-- Witness keys (issue 28): a cosignature is kept only when it verifies with a witness key
-- registered as an event (WitnessKeyRegistered, not revoked by WitnessKeyRevoked), over
-- the exact checkpoint. Lines kept before this check, unverified, stay (the table is
-- append-only) but are no longer served, and audit verify reports them; so a witness's
-- real cosignature must be able to go in beside such a line: a key may now have several
-- lines for one checkpoint, of which the service keeps and serves the first that verifies.
ALTER TABLE ledger.cosignatures DROP CONSTRAINT cosignatures_pkey;
ALTER TABLE ledger.cosignatures ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE INDEX cosignatures_checkpoint ON ledger.cosignatures (size, witness, key_id);
COMMENT ON TABLE ledger.cosignatures IS
    'Witness cosignatures of checkpoints, each verified with a registered witness key when it was kept (lines kept before migration 0012 were not). Append-only.';

-- The register's events, found at once whatever the ledger's size.
CREATE INDEX events_witness_keys ON ledger.events ("position")
    WHERE event_type IN ('WitnessKeyRegistered', 'WitnessKeyRevoked');
