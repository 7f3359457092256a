"""Times given on the command line, and the ledger position they stand for."""

from datetime import datetime
from typing import Any

from ledger.errors import LedgerError
from ledger.projection import queries, tables


def given_time(text: str | None, flag: str) -> datetime | None:
    """The time an option gives, timezone required; None when not given."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LedgerError(
            f"{flag} {text!r}: give an ISO time such as 2015-10-01T00:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise LedgerError(f"{flag} {text!r} has no timezone; add Z or an offset like +03:00")
    return moment


def known_position(conn: Any, projection: str, record_time: datetime | None) -> int:
    """The ledger position to answer at: the projection's cursor, or what was known at
    ``record_time`` if that is earlier."""
    if not tables.exists(conn):
        raise LedgerError("no projections yet: run `ledger project` first")
    cursor = queries.cursor(conn, projection)
    if record_time is None:
        return cursor
    return min(cursor, queries.position_at(conn, record_time))
