"""Reading one's own writes: a read naming ``at_least=POSITION`` (the position an append's
receipt gave) waits until the projections it reads have folded that position, at most
``LEDGER_READ_WAIT`` seconds, then answers; if the wait ran out, the answer says how
far behind it is (``read_at.behind_by``), never silently stale. The HTTP routes and the
workbench's pages both wait here."""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace

from starlette.requests import Request

from ledger.store.seen import CURSORS
from ledger.web.context import ReadContext
from ledger.web.services import lookup, services

FIRST_LOOK = 0.01
LAST_LOOK = 0.1
"""Seconds between two looks at the cursors while waiting: from the first to the most."""


class PositionAhead(ValueError):
    """``at_least`` names a position the ledger does not hold (yet)."""


def folded(context: ReadContext, projections: Sequence[str]) -> int:
    """How far the least of ``projections`` has folded (0 before any is built)."""
    cursors = context.cursors or {}
    return min((int(cursors.get(name, 0)) for name in projections), default=0)


async def reached(
    request: Request, context: ReadContext, projections: Sequence[str], at_least: int
) -> ReadContext:
    """The read context once ``projections`` have folded ``at_least``, or when the wait
    runs out (left in ``request.state.read_context`` too). PositionAhead when the ledger
    holds no such position: it cannot be a receipt's."""
    head = context.head or 0
    if at_least > head:
        raise PositionAhead(
            f"position {at_least} is past the ledger head ({head}); give the position an "
            "append's receipt named"
        )
    deadline = time.monotonic() + services(request).read_wait
    pause = FIRST_LOOK
    while folded(context, projections) < at_least:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 2, LAST_LOOK)
        async with lookup(request) as conn:
            cursor = await conn.execute(CURSORS)
            row = await cursor.fetchone()
        assert row is not None
        context = replace(context, cursors=row[0], head=None if row[1] is None else int(row[1]))
    request.state.read_context = context
    return context
