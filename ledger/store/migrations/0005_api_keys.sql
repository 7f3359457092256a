-- Bearer API keys of the HTTP service. Only a SHA-256 of each key is kept; the key itself
-- is shown once, when it is created. Revoking sets revoked_at; rows are never deleted, so
-- the record of who could do what, and until when, stays. Every change is announced on
-- the channel ledger_api_keys, so servers drop the keys they hold in memory at once.
CREATE TABLE ledger.api_keys (
    key_id text PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    role text NOT NULL CHECK (role IN ('producer', 'analyst', 'auditor', 'admin')),
    key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at timestamptz
);

CREATE FUNCTION ledger.announce_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ledger_api_keys', coalesce(NEW.key_id, OLD.key_id, '*'));
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON ledger.api_keys
    FOR EACH ROW EXECUTE FUNCTION ledger.announce_api_key_change();

CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON ledger.api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.announce_api_key_change();
