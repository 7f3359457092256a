-- Least-privilege roles: writers may read and append, never change. Creating roles needs
-- CREATEROLE; on a server where the ledger's user lacks it, the triggers still hold.
DO $$
BEGIN
    BEGIN
        CREATE ROLE ledger_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
    BEGIN
        CREATE ROLE ledger_writer NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL;
    END;
    EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA ledger FROM PUBLIC';
    EXECUTE 'GRANT USAGE ON SCHEMA ledger TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA ledger TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.events, ledger.schemas, ledger.rejected TO ledger_writer';
    EXECUTE 'GRANT EXECUTE ON FUNCTION ledger.append_events TO ledger_writer';
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'ledger roles not created (no CREATEROLE): relying on triggers alone';
END
$$;
