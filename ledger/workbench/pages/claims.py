"""The claim page: its statement and status, the chain of reported speech as a graph
with each source's grade then, the analysts' assessments and the claim's events."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ledger.projection.service import CLAIMS
from ledger.projection.views import ClaimHistory, DocumentView, SourceView
from ledger.workbench import graph
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import Reading, reads_for
from ledger.workbench.render import PREFIX, page

router = APIRouter()


@dataclass(frozen=True)
class ClaimPage:
    history: ClaimHistory | None
    document: DocumentView | None
    sources: dict[str, SourceView]


def read_claim(reading: Reading, claim_id: str) -> ClaimPage:
    reads, at = reading.reads, reading.at
    history = reads.claim(at, claim_id)
    if history is None:
        return ClaimPage(None, None, {})
    documents = reads.documents(at, limit=None).items
    document = next((d for d in documents if claim_id in d.claim_ids), None)
    ids = sorted({s for h in history.chain for s in (h.source_id, h.via_source_id) if s})
    sources = reads.sources(at, source_ids=ids, limit=None).items if ids else []
    return ClaimPage(history, document, {s.source_id: s for s in sources})


@router.get("/claims/{claim_id:path}", response_class=HTMLResponse)
async def claim(request: Request, claim_id: str, asked: Page) -> HTMLResponse:
    controls = asked.controls
    reading = await reads_for(request, asked.visitor, controls, CLAIMS)
    found = await run_in_threadpool(read_claim, reading, claim_id)
    if found.history is None:
        message = f"No event known at position {reading.at.position} names the claim {claim_id!r}."
        similar = await run_in_threadpool(reading.reads.similar_claims, reading.at, claim_id)
        suggestions = [(c, controls.url(f"{PREFIX}/claims/{c}")) for c in similar]
        return page(
            request,
            "problem.html",
            status=404,
            message=message,
            asked=asked,
            suggestions=suggestions,
        )

    def link(node_id: str) -> str:
        if node_id.startswith("doc") and found.document and node_id == found.document.document_id:
            return controls.url(f"{PREFIX}/documents/{node_id}")
        return controls.url(f"{PREFIX}/sources", source=node_id) + f"#{node_id}"

    document = (found.document.document_id, found.document.title) if found.document else None
    nodes = graph.nodes_of(found.history.chain, found.sources, document, link)
    return page(
        request,
        "claim.html",
        live="claim_history",
        asked=asked,
        reading=reading,
        claim=found.history,
        document=found.document,
        sources=found.sources,
        graph=graph.render(found.history.chain, nodes),
        problems=list(controls.problems),
    )
