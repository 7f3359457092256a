"""Which event ids the ledger holds, as a clearance sees it: a producer asking learns
nothing of the events it may not read (a hidden event answers as an absent one)."""

from collections.abc import Iterable
from uuid import UUID

from psycopg import sql

from ledger.domain.marking import OPERATOR, Clearance
from ledger.ports import LedgerStore
from ledger.store.clearance import visible_to

CHUNK = 10_000
"""Ids asked for per statement."""


def recorded(
    ledger: LedgerStore, ids: Iterable[UUID], clearance: Clearance = OPERATOR
) -> set[UUID]:
    """Those of ``ids`` that name an event ``clearance`` sees."""
    wanted = sorted(set(ids))
    found: set[UUID] = set()
    if not wanted:
        return found
    query = sql.SQL("SELECT DISTINCT event_id FROM ledger.events WHERE event_id = ANY(%s) AND {}")
    with ledger.cleared(clearance) as conn:
        for start in range(0, len(wanted), CHUNK):
            rows = conn.execute(
                query.format(visible_to(clearance)), (wanted[start : start + CHUNK],)
            ).fetchall()
            found.update(row[0] for row in rows)
    return found
