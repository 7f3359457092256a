"""Search by name or alias across actors, places and sources, as the gazetteer knows
them at the position read."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ledger.projection.service import POSTURE
from ledger.projection.views import GazetteerEntryView
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import Reading, reads_for
from ledger.workbench.render import page

router = APIRouter()

KINDS = ("actor", "place", "source")


@dataclass(frozen=True)
class Hit:
    kind: str
    entry: GazetteerEntryView
    matched: str
    """The name or alias that matched."""


def matches(entry: GazetteerEntryView, query: str) -> str | None:
    """The first of the entry's id, name and aliases containing ``query``, any case."""
    wanted = query.casefold()
    for name in (entry.name, *entry.aliases, entry.id):
        if wanted in name.casefold():
            return name
    return None


def search(reading: Reading, query: str) -> list[Hit]:
    hits = []
    for kind in KINDS:
        for entry in reading.reads.entries(reading.at, kind):
            matched = matches(entry, query)
            if matched is not None:
                hits.append(Hit(kind, entry, matched))
    return hits


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, asked: Page) -> HTMLResponse:
    query = (request.query_params.get("q") or "").strip()[:200]
    reading = await reads_for(request, asked.visitor, asked.controls, POSTURE)
    hits = await run_in_threadpool(search, reading, query) if query else []
    return page(
        request,
        "search.html",
        asked=asked,
        reading=reading,
        query=query,
        hits=hits,
        problems=list(asked.controls.problems),
    )
