"""What a clearance sees of the ledger's structure: its head, each projection's
progress, and which of some positions are events it may see.

For a reader, the ledger is the events it may see: its head is the newest of those (its
position, hash and record time), a projection has folded it up to the newest of those at
or before the projection's cursor, and lags by the number of those after it. Nothing
here moves when a hidden event is appended or folded, so ``/health`` and the workbench's
audit page answer for a clearance as a ledger holding only its events would. For the
operator (who sees everything) it is the whole ledger's head and lag.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql

from ledger.chain import GENESIS_HASH
from ledger.domain.marking import Clearance
from ledger.store.clearance import array_text
from ledger.store.connection import Conn

CURSORS = "SELECT ledger.projection_cursors(), (SELECT max(position) FROM ledger.events)"
"""Each projection's cursor and the ledger's head."""

HEAD = "SELECT max(position) FROM ledger.events"
"""The ledger's head (NULL when it is empty)."""


@dataclass(frozen=True)
class Progress:
    """A projection's cursor as the clearance sees it, and the events it has not folded."""

    name: str
    cursor: int
    lag: int


@dataclass(frozen=True)
class SeenHead:
    position: int
    hash: bytes
    recorded_at: datetime | None
    projections: list[Progress]


def _seen(clearance: Clearance) -> sql.Composable:
    """The condition on ``ledger.markings m`` of what ``clearance`` sees."""
    if clearance.is_operator:
        return sql.SQL("TRUE")
    return sql.SQL("m.rank <= {} AND m.compartments <@ {}::text[]").format(
        sql.Literal(clearance.rank), sql.Literal(array_text(clearance.compartments))
    )


def _head_query(clearance: Clearance) -> sql.Composed | sql.SQL:
    if clearance.is_operator:
        return sql.SQL(
            "SELECT position, hash, recorded_at FROM ledger.events ORDER BY position DESC LIMIT 1"
        )
    return sql.SQL(
        "SELECT e.position, e.hash, e.recorded_at FROM ledger.markings m"
        " JOIN ledger.events e ON e.position = m.position WHERE {}"
        " ORDER BY m.position DESC LIMIT 1"
    ).format(_seen(clearance))


def _progress_query(clearance: Clearance, names: list[str]) -> sql.Composed:
    """Per projection: the newest seen position at or before its cursor, and how many
    seen events lie after it (cursors from ``ledger.projection_cursors()``)."""
    seen = _seen(clearance)
    if clearance.is_operator:
        return sql.SQL(
            "SELECT name, coalesce((ledger.projection_cursors() ->> name)::bigint, 0), 0"
            " FROM unnest({names}::text[]) AS name"
        ).format(names=sql.Literal(names))
    return sql.SQL(
        "SELECT n.name,"
        " coalesce((SELECT m.position FROM ledger.markings m WHERE m.position <= n.cursor"
        "  AND {seen} ORDER BY m.position DESC LIMIT 1), 0),"
        " (SELECT count(*) FROM ledger.markings m WHERE m.position > n.cursor AND {seen})"
        " FROM (SELECT name, coalesce((ledger.projection_cursors() ->> name)::bigint, 0)"
        " AS cursor FROM unnest({names}::text[]) AS name) n"
    ).format(seen=seen, names=sql.Literal(names))


def _result(head: Any, rows: list[Any], names: list[str], operator: bool) -> SeenHead:
    position = int(head[0]) if head is not None else 0
    found = {}
    for name, cursor, lag in rows:
        if operator:  # every position is the operator's: the lag is the distance
            lag = max(position - int(cursor), 0)
        found[str(name)] = Progress(str(name), int(cursor), int(lag))
    progress = [found.get(name, Progress(name, 0, 0)) for name in names]
    if head is None:
        return SeenHead(0, GENESIS_HASH, None, progress)
    return SeenHead(position, bytes(head[1]), head[2], progress)


def seen_head(conn: Conn, clearance: Clearance, names: list[str]) -> SeenHead:
    """The head and the progress of the projections ``names``, as ``clearance`` sees them."""
    head = conn.execute(_head_query(clearance)).fetchone()
    rows = conn.execute(_progress_query(clearance, names)).fetchall()
    return _result(head, rows, names, clearance.is_operator)


async def seen_head_async(
    conn: AsyncConnection[Any], clearance: Clearance, names: list[str]
) -> SeenHead:
    """``seen_head`` on an asynchronous connection (the server's lookups)."""
    head = await (await conn.execute(_head_query(clearance))).fetchone()
    rows = await (await conn.execute(_progress_query(clearance, names))).fetchall()
    return _result(head, rows, names, clearance.is_operator)


def seen_positions(conn: Conn, clearance: Clearance, positions: list[int]) -> set[int]:
    """Which of ``positions`` hold an event ``clearance`` sees (by its kept marking)."""
    if not positions:
        return set()
    rows = conn.execute(
        sql.SQL(
            "SELECT m.position FROM ledger.markings m WHERE m.position = ANY({}) AND {}"
        ).format(sql.Literal(sorted(set(positions))), _seen(clearance))
    ).fetchall()
    return {int(r[0]) for r in rows}
