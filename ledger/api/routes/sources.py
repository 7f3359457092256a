"""Sources and documents, with reliability histories and the claims taken from each."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ledger.api.auth import Reader
from ledger.api.models import (
    DocumentDetail,
    DocumentItem,
    DocumentsPage,
    Grading,
    SourceDetail,
    SourceItem,
    SourcesPage,
)
from ledger.api.problems import ProblemError, responses
from ledger.api.reading import answer, decode_cursor, encode_cursor, read_at
from ledger.api.routes.claims import item as claim_item
from ledger.api.routes.params import AsOf, Cursor, Limit
from ledger.projection import listing
from ledger.projection.listing import DocumentView, SourceView
from ledger.projection.queries import Conn

router = APIRouter(dependencies=[Reader])

PROJECTIONS = ("sources",)
WITH_CLAIMS = ("sources", "claim_history")

SourceId = Annotated[str, Path(min_length=1, max_length=200, description="e.g. source:outlet")]
DocumentId = Annotated[str, Path(min_length=1, max_length=200, description="A document id.")]


def source_item(view: SourceView) -> SourceItem:
    return SourceItem(
        source_id=view.source_id,
        position=view.position,
        name=view.name,
        kind=view.kind,
        aliases=list(view.aliases),
        affiliated_source_id=view.affiliated_source_id,
        reliability=view.reliability,
        history=[
            Grading(
                position=g.position,
                reliability=g.reliability,
                effective_at=g.effective_at,
                rationale=g.rationale,
            )
            for g in view.history
        ],
    )


def document_item(view: DocumentView) -> DocumentItem:
    return DocumentItem(
        document_id=view.document_id,
        position=view.position,
        title=view.title,
        outlet_source_id=view.outlet_source_id,
        published_at=view.published_at,
        claim_ids=list(view.claim_ids),
    )


@router.get(
    "/sources",
    tags=["sources"],
    response_model=SourcesPage,
    responses=responses(401, 403, 422, 503),
    summary="Sources with their reliability history",
)
async def sources(
    request: Request, as_of: AsOf = None, limit: Limit = 100, cursor: Cursor = None
) -> Response:
    """Every registered source in id order: its current grade and each assessment."""
    pinned, after = decode_cursor(cursor, str) if cursor else (None, None)
    at = await read_at(request, PROJECTIONS, as_of=as_of, pinned=pinned)

    def build(conn: Conn) -> SourcesPage:
        views = listing.sources(conn, at.position, after=after, limit=limit)
        last = views[-1].source_id if len(views) == limit else None
        return SourcesPage(
            read_at=at,
            items=[source_item(v) for v in views],
            next_cursor=encode_cursor(at.position, last) if last else None,
        )

    return await answer(request, at, build)


@router.get(
    "/sources/{source_id}",
    tags=["sources"],
    response_model=SourceDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="One source with its reliability history",
)
async def source(request: Request, source_id: SourceId, as_of: AsOf = None) -> Response:
    at = await read_at(request, PROJECTIONS, as_of=as_of)

    def build(conn: Conn) -> SourceDetail:
        views = listing.sources(conn, at.position, source_ids=[source_id], limit=1)
        if not views:
            raise ProblemError(
                404, f"no source {source_id!r} is registered at position {at.position}"
            )
        return SourceDetail(read_at=at, source=source_item(views[0]))

    return await answer(request, at, build)


@router.get(
    "/documents",
    tags=["documents"],
    response_model=DocumentsPage,
    responses=responses(401, 403, 422, 503),
    summary="Documents ingested, with the claims taken from each",
)
async def documents(
    request: Request,
    outlet: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Only this outlet's.")
    ] = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    pinned, after = decode_cursor(cursor, str) if cursor else (None, None)
    at = await read_at(request, WITH_CLAIMS, as_of=as_of, pinned=pinned)

    def build(conn: Conn) -> DocumentsPage:
        views = listing.documents(conn, at.position, outlet=outlet, after=after, limit=limit)
        last = views[-1].document_id if len(views) == limit else None
        return DocumentsPage(
            read_at=at,
            items=[document_item(v) for v in views],
            next_cursor=encode_cursor(at.position, last) if last else None,
        )

    return await answer(request, at, build)


@router.get(
    "/documents/{document_id}",
    tags=["documents"],
    response_model=DocumentDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="One document and the claims taken from it",
)
async def document(request: Request, document_id: DocumentId, as_of: AsOf = None) -> Response:
    at = await read_at(request, WITH_CLAIMS, as_of=as_of)

    def build(conn: Conn) -> DocumentDetail:
        views = listing.documents(conn, at.position, document_ids=[document_id], limit=1)
        if not views:
            raise ProblemError(
                404, f"no document {document_id!r} is ingested at position {at.position}"
            )
        taken, _ = listing.claims(conn, at.position, document=document_id, limit=1000)
        return DocumentDetail(
            read_at=at, document=document_item(views[0]), claims=[claim_item(v) for v in taken]
        )

    return await answer(request, at, build)
