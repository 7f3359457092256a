"""The posture page: the map, the time controls and the filtered table of rows."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ledger.domain.posture import PostureStatus
from ledger.errors import LedgerError, StoreUnavailable
from ledger.projection.service import LIVE, POSTURE
from ledger.projection.views import PostureView
from ledger.workbench import map as posture_map
from ledger.workbench.filters import PostureFilters
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import Reading, reads_for
from ledger.workbench.render import PREFIX, page

router = APIRouter()

TABLE_ROWS = 500
"""Most rows the table lists (the map shows them all); narrow the filters for the rest."""


def read_rows(reading: Reading, filters: PostureFilters) -> list[PostureView]:
    """The posture rows the read service answers for the filters, at the reading."""
    reads, at = reading.reads, reading.at
    actors = (
        reads.resolve_actor(at, filters.actor, "actor", filters.include_subordinates)
        if filters.actor
        else None
    )
    place = reads.resolve(at, "place", filters.place, "place") if filters.place else None
    statuses = filters.statuses or LIVE
    found = reads.posture(
        at,
        actor=actors,
        place=place,
        statuses=statuses,
        limit=None,
        stale_after=filters.stale_after,
    )
    return [row for row in found.items if filters.keeps(row)]


@router.get("/", response_class=HTMLResponse)
async def posture(request: Request, asked: Page) -> HTMLResponse:
    controls = asked.controls
    filters = PostureFilters.of(request)
    reading = await reads_for(request, asked.visitor, controls, POSTURE)
    problems = list(controls.problems)
    try:
        rows = await run_in_threadpool(read_rows, reading, filters)
    except StoreUnavailable:  # the API's answer: 503, without the database's text
        raise
    except LedgerError as exc:
        problems.append(str(exc))
        rows = []

    def provenance(row: PostureView) -> str:
        if row.claim_id is None:
            return controls.url(f"{PREFIX}/places/{row.place_key}")
        return controls.url(f"{PREFIX}/claims/{row.claim_id}")

    drawn = posture_map.render(rows, provenance)
    return page(
        request,
        "posture.html",
        live="force_posture",
        asked=asked,
        reading=reading,
        filters=filters,
        rows=rows[:TABLE_ROWS],
        total=len(rows),
        map=drawn,
        styles=posture_map.STYLES,
        statuses=list(PostureStatus),
        provenance=provenance,
        problems=problems,
    )
