"""Actor and place pages: the entry (names, aliases, hierarchy), the posture rows that
name it, and the timeline of its reports."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ledger.errors import LedgerError, StoreUnavailable
from ledger.projection.service import POSTURE
from ledger.projection.views import GazetteerEntryView, PostureView, TimelineStep
from ledger.workbench import timeline
from ledger.workbench.controls import TimeControls
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import Reading, reads_for
from ledger.workbench.render import PREFIX, page

router = APIRouter()

TIMELINE_STEPS = 200


@dataclass(frozen=True)
class Entity:
    kind: str
    id: str
    entry: GazetteerEntryView | None
    rows: list[PostureView]
    steps: list[TimelineStep]
    names: dict[str, str]
    """Names of the entries this one's hierarchy mentions, by id."""


def read_entity(reading: Reading, kind: str, given: str, roll_up: bool) -> Entity:
    reads, at = reading.reads, reading.at
    found_id = reads.resolve(at, kind, given, kind)
    entries = reads.entries(at, kind)
    names = {e.id: e.name for e in entries}
    entry = next((e for e in entries if e.id == found_id), None)
    if kind == "actor":
        actors = reads.resolve_actor(at, found_id, kind, roll_up)
        rows = reads.posture(at, actor=actors, limit=None).items
        steps = reads.timeline(at, actor=actors, limit=TIMELINE_STEPS).items
    else:
        rows = reads.posture(at, place=found_id, limit=None).items
        steps = reads.timeline(at, place=found_id, limit=TIMELINE_STEPS).items
    return Entity(kind, found_id, entry, rows, steps, names)


def _link(controls: TimeControls, row: PostureView) -> str:
    return controls.url(f"{PREFIX}/claims/{row.claim_id}") if row.claim_id else "#"


async def _entity(request: Request, asked: Page, kind: str, given: str) -> HTMLResponse:
    controls = asked.controls
    roll_up = request.query_params.get("include_subordinates") in ("1", "on", "true")
    reading = await reads_for(request, asked.visitor, controls, POSTURE)
    try:
        entity = await run_in_threadpool(read_entity, reading, kind, given, roll_up)
    except StoreUnavailable:  # the API's answer: 503, without the database's text
        raise
    except LedgerError as exc:
        return page(request, "problem.html", status=404, message=str(exc), asked=asked)
    drawn = timeline.render(entity.steps, reading.at.world_time, lambda r: _link(controls, r))
    return page(
        request,
        "entity.html",
        asked=asked,
        reading=reading,
        entity=entity,
        timeline=drawn,
        roll_up=roll_up,
        rows=entity.rows,
        total=len(entity.rows),
        problems=list(controls.problems),
    )


@router.get("/actors/{actor_id:path}", response_class=HTMLResponse)
async def actor(request: Request, actor_id: str, asked: Page) -> HTMLResponse:
    return await _entity(request, asked, "actor", actor_id)


@router.get("/places/{place_key:path}", response_class=HTMLResponse)
async def place(request: Request, place_key: str, asked: Page) -> HTMLResponse:
    return await _entity(request, asked, "place", place_key)
