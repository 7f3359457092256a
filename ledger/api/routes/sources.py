"""Sources and documents, with reliability histories and the claims taken from each."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ledger.api.auth import Reader
from ledger.api.freshness import Fresh
from ledger.api.models import (
    ClaimItem,
    DocumentDetail,
    DocumentItem,
    DocumentsPage,
    SourceDetail,
    SourceItem,
    SourcesPage,
)
from ledger.api.names import resolving
from ledger.api.problems import ProblemError, responses
from ledger.api.reading import (
    PROOF_PENDING,
    Pages,
    Provable,
    answer,
    read_at,
)
from ledger.api.routes.params import AsOf, Cursor, Limit
from ledger.projection.service import DOCUMENTS, SOURCES, ReadPosition, ReadService

router = APIRouter(dependencies=[Reader, Provable, Fresh], responses=PROOF_PENDING)

SourceId = Annotated[
    str,
    Path(min_length=1, max_length=200, description="e.g. source:outlet, or its name or alias."),
]
DocumentId = Annotated[
    str, Path(min_length=1, max_length=200, description="A document id, or its title.")
]


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
    pages = Pages(request)
    pinned, after = pages.resume(cursor, str) if cursor else (None, None)
    at = await read_at(request, SOURCES, as_of=as_of, pinned=pinned)

    def build(reads: ReadService, position: ReadPosition) -> SourcesPage:
        page = reads.sources(position, after=after, limit=limit)
        return SourcesPage(
            read_at=at,
            items=[SourceItem.model_validate(v) for v in page.items],
            next_cursor=pages.next(at.position, page.last) if page.last else None,
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
    at = await read_at(request, SOURCES, as_of=as_of)

    def build(reads: ReadService, position: ReadPosition) -> SourceDetail:
        with resolving(status_unknown=404):
            found_id = reads.resolve(position, "source", source_id, "path.source_id")
        page = reads.sources(position, source_ids=[found_id], limit=1)
        if not page.items:
            raise ProblemError(
                404, f"no source {source_id!r} is registered at position {at.position}"
            )
        return SourceDetail(read_at=at, source=SourceItem.model_validate(page.items[0]))

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
        str | None,
        Query(min_length=1, max_length=200, description="Only this outlet's (id, name or alias)."),
    ] = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    pages = Pages(request)
    pinned, after = pages.resume(cursor, str) if cursor else (None, None)
    at = await read_at(request, DOCUMENTS, as_of=as_of, pinned=pinned)

    def build(reads: ReadService, position: ReadPosition) -> DocumentsPage:
        with resolving():
            outlet_id = (
                reads.resolve(position, "source", outlet, "query.outlet") if outlet else None
            )
        page = reads.documents(position, outlet=outlet_id, after=after, limit=limit)
        return DocumentsPage(
            read_at=at,
            items=[DocumentItem.model_validate(v) for v in page.items],
            next_cursor=pages.next(at.position, page.last) if page.last else None,
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
    at = await read_at(request, DOCUMENTS, as_of=as_of)

    def build(reads: ReadService, position: ReadPosition) -> DocumentDetail:
        with resolving(status_unknown=404):
            found_id = reads.resolve(position, "document", document_id, "path.document_id")
        page = reads.documents(position, document_ids=[found_id], limit=1)
        if not page.items:
            raise ProblemError(
                404, f"no document {document_id!r} is ingested at position {at.position}"
            )
        taken = reads.claims(position, document=found_id, limit=1000)
        return DocumentDetail(
            read_at=at,
            document=DocumentItem.model_validate(page.items[0]),
            claims=[ClaimItem.model_validate(v) for v in taken.items],
        )

    return await answer(request, at, build)
