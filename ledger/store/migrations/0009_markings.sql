-- Need-to-know. Each event's marking (the rank of its classification level: UNCLASSIFIED
-- 0 ... TOP_SECRET 4, UNKNOWN 5; and its compartments), derived from its payload by the
-- appender in the same statement as the append, and kept beside the event: the events
-- table itself is unchanged, so its history and hashes stay as they were.
CREATE TABLE ledger.markings (
    "position"   bigint PRIMARY KEY,  -- no foreign key: its check would cost every append
    rank         smallint NOT NULL CHECK (rank BETWEEN 0 AND 5),
    compartments text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE ledger.markings IS
    'The marking of each event (level rank 0 UNCLASSIFIED .. 4 TOP_SECRET, 5 UNKNOWN; compartments), as its payload states it, written by the statement that appends the event. Append-only; audit verify re-derives it for every event.';
CREATE TRIGGER markings_append_only BEFORE UPDATE OR DELETE ON ledger.markings
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER markings_no_truncate BEFORE TRUNCATE ON ledger.markings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

-- The clearance the service sets for a transaction (SET LOCAL ledger.clearance_rank and
-- ledger.clearance_compartments). Unset, it is UNCLASSIFIED with no compartments: a
-- reader role that forgets to set one sees only open events (it fails closed).
CREATE FUNCTION ledger.clearance_rank() RETURNS smallint LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('ledger.clearance_rank', true), '')::smallint, 0)
$$;
CREATE FUNCTION ledger.clearance_compartments() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('ledger.clearance_compartments', true), '')::text[],
                    '{}'::text[])
$$;
-- Whether the transaction's clearance sees a marking: level at least the marking's, and
-- every one of its compartments held.
CREATE FUNCTION ledger.sees(p_rank smallint, p_compartments text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_rank <= ledger.clearance_rank() AND p_compartments <@ ledger.clearance_compartments()
$$;

-- Row-level security for the reader role: a raw SELECT as ledger_reader sees only the
-- markings, and so the events, its clearance covers. Writers (who append, and must see
-- the chain's last hash) and the owner are not limited.
ALTER TABLE ledger.markings ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.events ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
    EXECUTE 'CREATE POLICY markings_cleared ON ledger.markings FOR SELECT TO ledger_reader'
            ' USING (ledger.sees(rank, compartments))';
    EXECUTE 'CREATE POLICY events_cleared ON ledger.events FOR SELECT TO ledger_reader'
            ' USING (EXISTS (SELECT 1 FROM ledger.markings m WHERE m."position" = events."position"))';
    EXECUTE 'CREATE POLICY markings_writer ON ledger.markings TO ledger_writer USING (true) WITH CHECK (true)';
    EXECUTE 'CREATE POLICY events_writer ON ledger.events TO ledger_writer USING (true) WITH CHECK (true)';
    EXECUTE 'GRANT SELECT ON ledger.markings TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.markings TO ledger_writer';
    EXECUTE 'GRANT EXECUTE ON FUNCTION ledger.clearance_rank, ledger.clearance_compartments,'
            ' ledger.sees TO ledger_reader, ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: markings are enforced by the service alone';
END
$$;
DO $$
BEGIN
    -- the service reads as the reader role (SET LOCAL ROLE), so its own user must hold it
    EXECUTE format('GRANT ledger_reader TO %I', current_user);
EXCEPTION WHEN undefined_object OR insufficient_privilege OR invalid_grant_operation THEN
    RAISE NOTICE 'cannot take the ledger_reader role: reads filter in the service alone';
END
$$;

-- API keys carry a clearance: least privilege by default (UNCLASSIFIED, no compartments).
ALTER TABLE ledger.api_keys
    ADD COLUMN clearance_rank smallint NOT NULL DEFAULT 0 CHECK (clearance_rank BETWEEN 0 AND 4),
    ADD COLUMN compartments text[] NOT NULL DEFAULT '{}';

-- The cursors of any projection schema (one per clearance), in one round trip with the key.
CREATE FUNCTION ledger.projection_cursors(p_schema text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found jsonb;
BEGIN
    IF to_regclass(format('%I.cursors', p_schema)) IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT coalesce(jsonb_object_agg(name, position), ''{}'') FROM %I.cursors',
                   p_schema)
        INTO found;
    RETURN found;
END
$$;
