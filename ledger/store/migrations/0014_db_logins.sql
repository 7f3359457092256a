-- Database logins for people and BI tools (psql, Metabase, notebooks) that query
-- PostgreSQL directly, with a clearance they cannot change.
--
-- The reader role's clearance is a per-transaction setting: whoever runs SQL as
-- ledger_reader may set any. A login made by `ledger keys create-db-user` is instead a
-- member of ledger_login (never of ledger_reader), whose policies look the clearance up
-- in ledger.db_logins by session_user: a row only the ledger's owner writes. The
-- policies' expressions are parsed when created (operators and tables resolved then), so
-- no search_path, SET, set_config or SET ROLE of the login changes what they check.
CREATE TABLE ledger.db_logins (
    role_name      text PRIMARY KEY,
    clearance_rank smallint NOT NULL CHECK (clearance_rank BETWEEN 0 AND 4),
    compartments   text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE ledger.db_logins IS
    'Database logins (ledger keys create-db-user) and the clearance each reads with, fixed by the owner: row-level security for the ledger_login role reads it by session_user.';
REVOKE ALL ON ledger.db_logins FROM PUBLIC;
ALTER TABLE ledger.db_logins ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
    BEGIN
        CREATE ROLE ledger_login NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    -- a login reads only its own row (the clearance its policies apply)
    EXECUTE 'CREATE POLICY db_logins_own ON ledger.db_logins FOR SELECT TO ledger_login'
            ' USING (role_name = session_user)';
    EXECUTE 'CREATE POLICY markings_login ON ledger.markings FOR SELECT TO ledger_login'
            ' USING (EXISTS (SELECT 1 FROM ledger.db_logins l WHERE l.role_name = session_user'
            ' AND markings.rank <= l.clearance_rank AND markings.compartments <@ l.compartments))';
    EXECUTE 'CREATE POLICY events_login ON ledger.events FOR SELECT TO ledger_login'
            ' USING (EXISTS (SELECT 1 FROM ledger.markings m WHERE m."position" = events."position"))';
    EXECUTE 'GRANT USAGE ON SCHEMA ledger TO ledger_login';
    EXECUTE 'GRANT SELECT ON ledger.events, ledger.markings, ledger.schemas, ledger.db_logins'
            ' TO ledger_login';
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'ledger_login not created (no CREATEROLE): no database logins on this server';
END
$$;
