"""The projection schema (``projection``, or a shadow): its tables, and the cursors that
say how far each projection has folded and which definition built it."""

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from ledger.domain.marking import OPERATOR, Clearance
from ledger.projection import security
from ledger.projection.definition import Projection
from ledger.store.connection import Conn

SCHEMA = "projection"

_CURSORS = """
CREATE TABLE IF NOT EXISTS {s}.cursors (
    name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL
);
ALTER TABLE {s}.cursors ADD COLUMN IF NOT EXISTS version text;
ALTER TABLE {s}.cursors ADD COLUMN IF NOT EXISTS previous bigint NOT NULL DEFAULT 0;
"""


_TO_PROJECTOR = """
DO $$
DECLARE
    found record;
BEGIN
    IF to_regrole('ledger_projector') IS NULL
       OR NOT pg_has_role('ledger_projector', 'MEMBER') THEN
        RETURN;  -- no such role here, or a login that cannot give it objects
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('projection.owner.' || {schema}));
    IF (SELECT nspowner FROM pg_namespace WHERE nspname = {schema})
       <> 'ledger_projector'::regrole THEN
        EXECUTE format('ALTER SCHEMA %I OWNER TO ledger_projector', {schema});
    END IF;
    FOR found IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = {schema} AND c.relkind IN ('r', 'p')
                    AND c.relowner <> 'ledger_projector'::regrole LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO ledger_projector', {schema}, found.relname);
    END LOOP;
END
$$
"""
"""Hand a projection schema and its tables to ``ledger_projector`` (migration 0013), so
the server's service login and the owner's command line fold the same tables, whoever
made them; one round trip, and nothing changes once they are its."""


def qualified(text: str, schema: str) -> sql.Composed:
    """SQL with ``{s}`` standing for the (quoted) projection schema."""
    return sql.SQL(text).format(s=sql.Identifier(schema))


def all_of(conditions: Sequence[sql.Composable]) -> sql.Composable:
    """The conditions joined by AND (TRUE when there are none)."""
    return sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")


def create(
    conn: Conn,
    projections: list[Projection],
    schema: str = SCHEMA,
    clearance: Clearance = OPERATOR,
    *,
    readable: bool = True,
) -> None:
    """Create the schema, the cursors and the projections' tables if missing, with the
    reader policies of a schema folded for ``clearance`` (``security``). A schema no
    reader is ever granted (``readable=False``: a per-run check's scratch) gets none:
    they cost a round trip per table, a tenth of a second of each run."""
    # one transaction: a reader sees the schema with its tables, grants and policies or
    # not at all (between the two it was refused the schema: a 500 on a first fold);
    # the lock makes two first folds of one schema wait for each other, where CREATE
    # ... IF NOT EXISTS in two transactions at once can still collide
    with conn.transaction():
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('projection.create.' || %s))", (schema,)
        )
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(qualified(_CURSORS, schema))
        for projection in projections:
            conn.execute(qualified(projection.ddl(), schema))
            if readable:
                security.secure(conn, projection, schema, clearance)
        conn.execute(sql.SQL(_TO_PROJECTOR).format(schema=sql.Literal(schema)))


def drop_tables(conn: Conn, projection: Projection, schema: str = SCHEMA) -> None:
    """Drop a projection's tables and cursor (inside the caller's transaction)."""
    for table in projection.tables:
        conn.execute(
            sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(
                sql.Identifier(schema), sql.Identifier(table.name)
            )
        )
    conn.execute(qualified("DELETE FROM {s}.cursors WHERE name = %s", schema), (projection.name,))


def exists(conn: Conn, schema: str = SCHEMA) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.cursors",)).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Cursor:
    """How far a projection has folded, the fingerprint of the definition that did, and
    where its last fold started (the increment the per-run checks look at)."""

    position: int
    version: str | None
    previous: int = 0


def cursor_of(conn: Conn, name: str, schema: str = SCHEMA) -> Cursor | None:
    """The stored cursor, read whole so that a schema built before a column was added
    (the next fold adds it) still reads: a missing version is a changed definition."""
    row = conn.execute(
        qualified("SELECT to_jsonb(c) FROM {s}.cursors c WHERE name = %s", schema), (name,)
    ).fetchone()
    if row is None:
        return None
    found = row[0]
    return Cursor(int(found["position"]), found.get("version"), int(found.get("previous") or 0))


def cursor(conn: Conn, name: str, schema: str = SCHEMA) -> int:
    """The position a projection has folded to (0 when never folded)."""
    found = cursor_of(conn, name, schema)
    return found.position if found else 0


def cursors(conn: Conn, schema: str = SCHEMA) -> dict[str, int]:
    """Every projection's cursor, in one query."""
    if not exists(conn, schema):
        return {}
    rows = conn.execute(qualified("SELECT name, position FROM {s}.cursors", schema))
    return {str(name): int(position) for name, position in rows}


def write_cursor(
    conn: Conn, projection: Projection, position: int, schema: str, previous: int
) -> None:
    """Record a fold of (previous, position] by the projection's current definition. A
    fold that found nothing new keeps the increment the last real fold recorded."""
    conn.execute(
        qualified(
            "INSERT INTO {s}.cursors (name, position, updated_at, version, previous)"
            " VALUES (%s, %s, clock_timestamp(), %s, %s) ON CONFLICT (name) DO UPDATE"
            " SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at,"
            " version = EXCLUDED.version, previous = CASE"
            " WHEN EXCLUDED.position = {s}.cursors.position THEN {s}.cursors.previous"
            " ELSE EXCLUDED.previous END",
            schema,
        ),
        (projection.name, position, projection.fingerprint, previous),
    )


_VERIFIED = """
CREATE TABLE IF NOT EXISTS {s}.verified (
    name text PRIMARY KEY, position bigint NOT NULL, hash bytea NOT NULL,
    verified_at timestamptz NOT NULL
);
"""


def last_verified(conn: Conn, name: str, schema: str = SCHEMA) -> tuple[int, bytes] | None:
    """The (position, hash) a check named ``name`` last verified the chain up to."""
    conn.execute(qualified(_VERIFIED, schema))
    row = conn.execute(
        qualified("SELECT position, hash FROM {s}.verified WHERE name = %s", schema), (name,)
    ).fetchone()
    return (int(row[0]), bytes(row[1])) if row else None


def record_verified(
    conn: Conn, name: str, position: int, hash: bytes, schema: str = SCHEMA
) -> None:
    conn.execute(qualified(_VERIFIED, schema))
    conn.execute(
        qualified(
            "INSERT INTO {s}.verified (name, position, hash, verified_at)"
            " VALUES (%s, %s, %s, clock_timestamp()) ON CONFLICT (name) DO UPDATE"
            " SET position = EXCLUDED.position, hash = EXCLUDED.hash,"
            " verified_at = EXCLUDED.verified_at",
            schema,
        ),
        (name, position, hash),
    )
