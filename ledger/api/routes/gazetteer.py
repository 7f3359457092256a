"""The gazetteer: registered actors and places with their aliases, hierarchy,
coordinates and how many reports name them."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from ledger.api.auth import Reader
from ledger.api.freshness import Fresh
from ledger.api.models import GazetteerDetail, GazetteerItem, GazetteerPage
from ledger.api.names import resolving
from ledger.api.problems import ProblemError, responses
from ledger.api.reading import PROOF_PENDING, Provable, answer, read_at
from ledger.api.routes.params import AsOf
from ledger.projection.service import SOURCES, ReadPosition, ReadService

router = APIRouter(
    tags=["gazetteer"], dependencies=[Reader, Provable, Fresh], responses=PROOF_PENDING
)

Name = Annotated[str, Path(min_length=1, max_length=200, description="An id, name or alias.")]

READS = (*SOURCES, "force_posture")
"""Entries come from the sources projection, the report counts from force_posture."""


async def _listing(request: Request, kind: str, as_of: AsOf) -> Response:
    at = await read_at(request, READS, as_of=as_of)

    def build(reads: ReadService, position: ReadPosition) -> GazetteerPage:
        found = reads.entries(position, kind)
        return GazetteerPage(read_at=at, items=[GazetteerItem.model_validate(v) for v in found])

    return await answer(request, at, build)


async def _detail(request: Request, kind: str, name: str, as_of: AsOf) -> Response:
    at = await read_at(request, READS, as_of=as_of)

    def build(reads: ReadService, position: ReadPosition) -> GazetteerDetail:
        with resolving(status_unknown=404):
            entry_id = reads.resolve(position, kind, name, f"path.{kind}")
        found = next((v for v in reads.entries(position, kind) if v.id == entry_id), None)
        if found is None:  # reports name it, but nothing registered it (yet)
            raise ProblemError(
                404,
                f"path.{kind}: {kind} {entry_id!r} is named in reports but not registered "
                f"(as known at position {position.position}); its reports are in the posture",
            )
        return GazetteerDetail(read_at=at, entry=GazetteerItem.model_validate(found))

    return await answer(request, at, build)


@router.get(
    "/actors",
    response_model=GazetteerPage,
    responses=responses(401, 403, 422, 503),
    summary="Every registered actor, with aliases, parent, coalitions and report counts",
)
async def actors(request: Request, as_of: AsOf = None) -> Response:
    """The actors registered by the position read, in id order."""
    return await _listing(request, "actor", as_of)


@router.get(
    "/actors/{name}",
    response_model=GazetteerDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="One actor by id, name or alias",
)
async def actor(request: Request, name: Name, as_of: AsOf = None) -> Response:
    """404 (with suggestions) when no actor has that id, name or alias; 422 (with the
    candidates) when several do."""
    return await _detail(request, "actor", name, as_of)


@router.get(
    "/places",
    response_model=GazetteerPage,
    responses=responses(401, 403, 422, 503),
    summary="Every registered place, with aliases, coordinates and report counts",
)
async def places(request: Request, as_of: AsOf = None) -> Response:
    """The places registered by the position read, in id order."""
    return await _listing(request, "place", as_of)


@router.get(
    "/places/{name}",
    response_model=GazetteerDetail,
    responses=responses(401, 403, 404, 422, 503),
    summary="One place by id, name or alias",
)
async def place(request: Request, name: Name, as_of: AsOf = None) -> Response:
    """404 (with suggestions) when no place has that id, name or alias; 422 (with the
    candidates) when several do."""
    return await _detail(request, "place", name, as_of)
