"""Pages that follow the ledger: an event stream telling a live page (no record time
pinned) that the projection it reads has folded further, as the reader's clearance
sees it. The page's own script then fetches itself again; nothing else is sent, so the
stream says no more than the page would on a reload (a hidden event moves nothing)."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from ledger.domain.marking import OPERATOR
from ledger.projection.catalog import PROJECTIONS
from ledger.store.seen import seen_head_async
from ledger.web.services import lookup
from ledger.workbench.access import visitor

router = APIRouter()

POLL_SECONDS = 1.0
"""How often the stream asks how far the projection has folded."""
LIFETIME_SECONDS = 600.0
"""A stream ends after this long; the browser reconnects (its session checked again)."""


@router.get("/live")
async def live(
    request: Request,
    projection: Annotated[str, Query(pattern="^[a-z_]{1,40}$")],
    after: Annotated[int, Query(ge=0)],
) -> EventSourceResponse:
    """``moved`` (the position now read) each time ``projection`` has folded past
    ``after`` the events the visitor's clearance sees."""
    found = await visitor(request)
    clearance = found.key.clearance if found.key is not None else OPERATOR
    names = [projection] if projection in PROJECTIONS else []

    async def moves() -> AsyncIterator[dict[str, str]]:
        last = after
        loop = asyncio.get_running_loop()
        ends = loop.time() + LIFETIME_SECONDS
        while names and loop.time() < ends:
            async with lookup(request) as conn:
                seen = await seen_head_async(conn, clearance, names)
            cursor = seen.projections[0].cursor if seen.projections else 0
            if cursor > last:
                last = cursor
                yield {"event": "moved", "data": json.dumps({"position": cursor})}
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(moves(), ping=15)
