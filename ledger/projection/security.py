"""Row-level security on a projection schema, for the ``ledger_reader`` role and the
database logins of ``ledger_login`` (migration 0014).

Every projection schema is folded for one clearance (the operator's ``projection``, or
one per reader clearance, ``clearances.schema_for``). For a reader role, PostgreSQL shows

- a fact table's rows (one per event) only where the reader's clearance sees the row's
  own marking, and
- a derived table's rows (the current posture, worked out from many events) only when
  the reader's clearance covers the whole schema's: derived rows of the operator's
  schema, which may rest on anything, are hidden from every reader.

The reader's clearance comes from the transaction (``ledger.store.clearance.set_clearance``);
with none set a reader is UNCLASSIFIED, so a forgotten setting fails closed. A login's
comes from ``ledger.db_logins``, looked up by ``session_user``, which it cannot change.
"""

from psycopg import sql

from ledger.domain.marking import Clearance
from ledger.projection.definition import Projection
from ledger.store.clearance import array_text
from ledger.store.connection import Conn

POLICY = "cleared"

_SECURE = """
DO $$
DECLARE
    found text[] := ARRAY(SELECT policyname::text FROM pg_policies
                           WHERE schemaname = {schema_text} AND tablename = {table_text});
BEGIN
    IF NOT 'cleared' = ANY(found) THEN
        BEGIN
            ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY cleared ON {s}.{t} FOR SELECT TO ledger_reader USING ({rule});
            GRANT USAGE ON SCHEMA {s} TO ledger_reader;
            GRANT SELECT ON {s}.{t} TO ledger_reader;
            GRANT SELECT ON {s}.cursors TO ledger_reader;
        EXCEPTION WHEN undefined_object THEN
            NULL;  -- no ledger_reader role on this server: the service filters alone
        END;
    END IF;
    IF NOT 'cleared_login' = ANY(found) AND to_regrole('ledger_login') IS NOT NULL
       AND to_regclass('ledger.db_logins') IS NOT NULL THEN
        BEGIN
            ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY;
            CREATE POLICY cleared_login ON {s}.{t} FOR SELECT TO ledger_login
                USING (EXISTS (SELECT 1 FROM ledger.db_logins l
                                WHERE l.role_name = session_user
                                  AND {rank} <= l.clearance_rank
                                  AND {compartments} <@ l.compartments));
            GRANT USAGE ON SCHEMA {s} TO ledger_login;
            GRANT SELECT ON {s}.{t} TO ledger_login;
            GRANT SELECT ON {s}.cursors TO ledger_login;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;  -- folded by a role that does not own the table: closed to logins
        END;
    END IF;
END
$$
"""


def secure(conn: Conn, projection: Projection, schema: str, clearance: Clearance) -> None:
    """Put the reader and login policies on the projection's tables in ``schema`` (once)."""
    rank = sql.Literal(clearance.rank)
    compartments = sql.Literal(array_text(clearance.compartments))
    whole = sql.SQL("ledger.sees({}::smallint, {}::text[])").format(rank, compartments)
    for table in projection.tables:
        rule = sql.SQL("ledger.sees(marking_rank, marking_compartments)") if table.marked else whole
        marking = (
            (sql.SQL("marking_rank"), sql.SQL("marking_compartments"))
            if table.marked
            else (sql.SQL("{}::smallint").format(rank), sql.SQL("{}::text[]").format(compartments))
        )
        conn.execute(
            sql.SQL(_SECURE).format(
                schema_text=sql.Literal(schema),
                table_text=sql.Literal(table.name),
                s=sql.Identifier(schema),
                t=sql.Identifier(table.name),
                rule=rule,
                rank=marking[0],
                compartments=marking[1],
            )
        )
