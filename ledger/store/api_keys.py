"""The API key register as PostgreSQL holds it (``ledger.api_keys``): rows in, rows
out. What a key is and how it is checked is ``ledger.web.keys``'s."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ledger.domain.marking import Clearance
from ledger.store.connection import Conn
from ledger.store.sessions import LIVE_SESSION_KEY

FIELDS = "key_id, name, role, created_at, revoked_at, clearance_rank, compartments"
"""The columns of a key's row, in the order ``listing`` and ``revoked`` give them."""


def insert(
    conn: Conn,
    key_id: str,
    name: str,
    role: str,
    key_hash: bytes,
    rank: int,
    compartments: Sequence[str],
) -> datetime:
    """Store a new key; its creation time."""
    row = conn.execute(
        "INSERT INTO ledger.api_keys (key_id, name, role, key_hash, clearance_rank,"
        " compartments) VALUES (%s, %s, %s, %s, %s, %s) RETURNING created_at",
        (key_id, name, role, key_hash, rank, list(compartments)),
    ).fetchone()
    assert row is not None
    created: datetime = row[0]
    return created


def rows(conn: Conn, include_revoked: bool = True) -> list[tuple[Any, ...]]:
    """Every key's row (``FIELDS``), oldest first."""
    where = "" if include_revoked else " WHERE revoked_at IS NULL"
    found = conn.execute(f"SELECT {FIELDS} FROM ledger.api_keys{where} ORDER BY created_at, key_id")
    return [tuple(r) for r in found]


READING_ROLES = ("analyst", "auditor", "admin")
"""The roles whose keys read the ledger (``ledger.web.keys.READERS``)."""


def reader_clearances(conn: Conn) -> list[Clearance]:
    """The distinct clearances of the keys not revoked that read: their projections
    are kept folded by the Dagster run."""
    found = conn.execute(
        "SELECT DISTINCT clearance_rank, compartments FROM ledger.api_keys"
        " WHERE revoked_at IS NULL AND role = ANY(%s) ORDER BY 1, 2",
        (list(READING_ROLES),),
    )
    return [Clearance(int(r[0]), frozenset(r[1] or ())) for r in found]


def revoked(conn: Conn, key_id: str) -> tuple[Any, ...] | None:
    """Revoke a key (revoking twice keeps the first time); its row, None if unknown."""
    row = conn.execute(
        "UPDATE ledger.api_keys SET revoked_at = coalesce(revoked_at, clock_timestamp())"
        f" WHERE key_id = %s RETURNING {FIELDS}",
        (key_id,),
    ).fetchone()
    return None if row is None else tuple(row)


LIVE_KEY = "SELECT 1 FROM ledger.api_keys WHERE key_id = %s AND revoked_at IS NULL"
"""A row when the key of this id is not revoked (a long stream asks it again and again)."""

READ_CONTEXT = (
    "SELECT k.key_id, k.name, k.role, k.created_at, k.revoked_at, k.key_hash,"
    " k.clearance_rank, k.compartments, ledger.projection_cursors(),"
    " CASE WHEN %(as_of)s::timestamptz IS NULL THEN NULL"
    " ELSE ledger.position_at(%(as_of)s::timestamptz) END,"
    " (SELECT max(position) FROM ledger.events)"
    " FROM (SELECT 1) AS one LEFT JOIN ledger.api_keys k ON k.key_id ="
    f" coalesce(%(key_id)s, {LIVE_SESSION_KEY})"
)
"""A key's row (found by its id, or by a live workbench session's token hash) and the
read context (each projection's cursor, the position known at ``as_of``, the head) in
one round trip: parameters ``key_id``, ``session`` and ``as_of``."""
