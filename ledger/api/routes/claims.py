"""Claims: filtered lists, and one claim with its history and chain of reported speech."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ledger.api.auth import Reader
from ledger.api.freshness import Fresh
from ledger.api.models import ClaimDetail, ClaimItem, ClaimsPage, FieldProblem
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
from ledger.domain.claim_status import ClaimStatus
from ledger.projection import claim_names
from ledger.projection.service import CLAIMS, ReadPosition, ReadService

router = APIRouter(tags=["claims"], dependencies=[Reader, Provable, Fresh], responses=PROOF_PENDING)

ClaimId = Annotated[
    str, Path(min_length=1, max_length=200, description="A claim id, e.g. claim:seed-05.")
]


@router.get(
    "/claims",
    response_model=ClaimsPage,
    responses=responses(401, 403, 422, 503),
    summary="Claims, filtered by status, actor, source or document",
)
async def claims(
    request: Request,
    status: Annotated[
        list[ClaimStatus] | None,
        Query(description="Only claims with these statuses (repeat for more)."),
    ] = None,
    actor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Claims a report on this actor rests on (id, name or alias).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Claims with this source in their chain (id, name or alias).",
        ),
    ] = None,
    document: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Claims taken from this document (id or title).",
        ),
    ] = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """Claims in id order, each with its status and original speaker as known then."""
    pages = Pages(request)
    pinned, after = pages.resume(cursor, str) if cursor else (None, None)
    at = await read_at(request, CLAIMS, as_of=as_of, pinned=pinned)

    def build(reads: ReadService, position: ReadPosition) -> ClaimsPage:
        with resolving():
            actor_id = reads.resolve(position, "actor", actor, "query.actor") if actor else None
            source_id = (
                reads.resolve(position, "source", source, "query.source") if source else None
            )
            document_id = (
                reads.resolve(position, "document", document, "query.document")
                if document
                else None
            )
        page = reads.claims(
            position,
            statuses=frozenset(status) if status else None,
            actor=actor_id,
            source=source_id,
            document=document_id,
            after=after,
            limit=limit,
        )
        return ClaimsPage(
            read_at=at,
            items=[ClaimItem.model_validate(v) for v in page.items],
            next_cursor=pages.next(at.position, page.last) if page.last else None,
        )

    return await answer(request, at, build)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="One claim: its history, status and attribution chain",
)
async def claim(request: Request, claim_id: ClaimId, as_of: AsOf = None) -> Response:
    """Every event on the claim in ledger order, the hops of reported speech from the
    original speaker outwards (each source with its grade then), and the status."""
    at = await read_at(request, CLAIMS, as_of=as_of)

    def build(reads: ReadService, position: ReadPosition) -> ClaimDetail:
        found = reads.claim(position, claim_id)
        if found is None:
            known = f" as of {as_of.isoformat()}" if as_of else ""
            similar = reads.similar_claims(position, claim_id)
            message = (
                f"no event in the ledger names the claim {claim_id!r}{known}"
                + claim_names.hint(similar)
            )
            raise ProblemError(
                404,
                message,
                [FieldProblem(field="path.claim_id", message=message, suggestions=similar)],
            )
        return ClaimDetail.model_validate(
            {**vars(found), "read_at": at, "positions": found.positions}
        )

    return await answer(request, at, build)
