-- Bearer API keys of the HTTP service. Only a SHA-256 of each key is kept; the key itself
-- is shown once, when it is created. Revoking sets revoked_at; rows are never deleted, so
-- the record of who could do what, and until when, stays.
CREATE TABLE ledger.api_keys (
    key_id text PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    role text NOT NULL CHECK (role IN ('producer', 'analyst', 'auditor', 'admin')),
    key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at timestamptz
);

-- Every API read needs its key checked and the projections' cursors; this lets both come
-- back in one round trip. NULL when the projections are not built yet.
CREATE FUNCTION ledger.projection_cursors() RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    found jsonb;
BEGIN
    IF to_regclass('projection.cursors') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT coalesce(jsonb_object_agg(name, position), ''{}'') FROM projection.cursors'
        INTO found;
    RETURN found;
END
$$;
