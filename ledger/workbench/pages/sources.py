"""The source register with each source's reliability history, and the document page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ledger.projection.service import DOCUMENTS, SOURCES
from ledger.projection.views import ClaimView, DocumentView, SourceView
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import Reading, reads_for
from ledger.workbench.render import page

router = APIRouter()


def read_sources(reading: Reading) -> list[SourceView]:
    return reading.reads.sources(reading.at, limit=None).items


@router.get("/sources", response_class=HTMLResponse)
async def register(request: Request, asked: Page) -> HTMLResponse:
    reading = await reads_for(request, asked.visitor, asked.controls, SOURCES)
    found = await run_in_threadpool(read_sources, reading)
    return page(
        request,
        "sources.html",
        asked=asked,
        reading=reading,
        sources=found,
        names={s.source_id: s.name for s in found},
        chosen=request.query_params.get("source"),
        problems=list(asked.controls.problems),
    )


def read_document(
    reading: Reading, document_id: str
) -> tuple[DocumentView | None, list[ClaimView], dict[str, str]]:
    reads, at = reading.reads, reading.at
    documents = reads.documents(at, document_ids=[document_id], limit=None).items
    if not documents:
        return None, [], {}
    claims = reads.claims(at, document=document_id, limit=1000).items
    names = {s.source_id: s.name for s in reads.sources(at, limit=None).items}
    return documents[0], claims, names


@router.get("/documents/{document_id:path}", response_class=HTMLResponse)
async def document(request: Request, document_id: str, asked: Page) -> HTMLResponse:
    reading = await reads_for(request, asked.visitor, asked.controls, DOCUMENTS)
    found, claims, names = await run_in_threadpool(read_document, reading, document_id)
    if found is None:
        message = f"No document {document_id!r} is known at position {reading.at.position}."
        return page(request, "problem.html", status=404, message=message, asked=asked)
    return page(
        request,
        "document.html",
        asked=asked,
        reading=reading,
        document=found,
        claims=claims,
        names=names,
        problems=list(asked.controls.problems),
    )
