-- Least privilege for the server, sessions it can end, and secrets only it reads.
--
-- ledger_service: the login `ledger serve` runs every query as. Not a superuser, not the
-- owner of the ledger schema: it reads and appends through ledger_reader and
-- ledger_writer, and a session of it cannot take any other role (set_config('role',
-- 'postgres', true) is refused), so no query of a request can escalate.
-- ledger_projector: owns every projection schema and table, so the server (folding a
-- clearance's projections on a read) and the command line (`ledger project`, as the
-- database's owner) fold the same tables, whoever created them first.
DO $$
BEGIN
    BEGIN
        CREATE ROLE ledger_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
            NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE ledger_projector NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    EXECUTE 'GRANT ledger_reader, ledger_writer, ledger_projector TO ledger_service';
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ledger_service', current_database());
    EXECUTE format('GRANT CREATE ON DATABASE %I TO ledger_projector', current_database());
    EXECUTE 'GRANT USAGE ON SCHEMA ledger TO ledger_projector';
    EXECUTE 'GRANT SELECT ON ledger.api_keys TO ledger_service';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger_service not created (no CREATEROLE): `ledger serve` needs it, or '
                 'LEDGER_SERVICE_DATABASE_URL naming a least-privilege login';
END
$$;

-- What a reader role may not read: raw rejected payloads (of any marking, never decoded
-- into a marking) and the Kafka repeats that name events' positions. Auditors see them
-- through the service, which reads as itself (ledger_writer), not as a reader.
DO $$
BEGIN
    EXECUTE 'REVOKE ALL ON ledger.rejected, ledger.kafka_duplicates FROM ledger_reader';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger_reader absent: nothing to revoke';
END
$$;

-- Projection schemas built before this migration pass to ledger_projector.
DO $$
DECLARE
    found record;
BEGIN
    IF to_regrole('ledger_projector') IS NULL THEN
        RETURN;
    END IF;
    FOR found IN SELECT n.nspname FROM pg_namespace n
                  WHERE n.nspname = 'projection' OR n.nspname LIKE 'projection\_%' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO ledger_projector', found.nspname);
    END LOOP;
    FOR found IN SELECT n.nspname, c.relname FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE (n.nspname = 'projection' OR n.nspname LIKE 'projection\_%')
                    AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO ledger_projector', found.nspname,
                       found.relname);
    END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'projection schemas kept by their owners: the server cannot fold them';
END
$$;

-- Workbench sessions, kept by the server so that signing out ends one at once on every
-- worker and every server of this database. The browser holds only a random token;
-- the row holds its SHA-256. Rows of ended or expired sessions are deleted later.
CREATE TABLE ledger.workbench_sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    key_id     text NOT NULL REFERENCES ledger.api_keys (key_id),
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX workbench_sessions_expires ON ledger.workbench_sessions (expires_at);
COMMENT ON TABLE ledger.workbench_sessions IS
    'Signed-in workbench browsers: SHA-256 of the cookie''s token, the API key it stands for, until when. Ended by signing out.';

-- Secrets of the server: page tokens are sealed with one, so a token is opaque and
-- bound to the clearance it was given to, on every server of this database.
CREATE TABLE ledger.server_secrets (
    name   text PRIMARY KEY,
    secret bytea NOT NULL CHECK (length(secret) = 32)
);
INSERT INTO ledger.server_secrets (name, secret)
VALUES ('page_tokens', sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())));
COMMENT ON TABLE ledger.server_secrets IS
    'Keys only the server reads (ledger_service): the page-token sealing key.';

DO $$
BEGIN
    EXECUTE 'REVOKE ALL ON ledger.workbench_sessions, ledger.server_secrets FROM PUBLIC';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ledger.workbench_sessions TO ledger_service';
    EXECUTE 'GRANT SELECT ON ledger.server_secrets TO ledger_service';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger_service absent: sessions and secrets readable by the owner only';
END
$$;
