"""Liveness for anyone; the ledger's head and each projection's lag for a key, as the
key's clearance sees them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from ledger.api.auth import CHALLENGE, bearer, known_parameters
from ledger.api.models import Health, HealthDetail, ProjectionState
from ledger.api.problems import ProblemError, responses
from ledger.domain.marking import OPERATOR, Clearance
from ledger.projection.catalog import PROJECTIONS
from ledger.store.seen import seen_head_async
from ledger.web import keys
from ledger.web.context import load_context
from ledger.web.services import lookup, services


async def _no_parameters(request: Request) -> None:
    known_parameters(request)  # async, so no thread is taken for it


router = APIRouter(tags=["health"], dependencies=[Depends(_no_parameters)])


async def _clearance(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Clearance | None:
    """The clearance of the key sent (None when none was sent); 401 for a bad key. A
    server run without keys answers everyone as the operator."""
    if not services(request).auth:
        return OPERATOR
    if credentials is None:
        return None
    key_id = keys.key_id_of(credentials.credentials)
    row = await load_context(request, key_id) if key_id else None
    key = keys.verified(row if row and row[0] is not None else None, credentials.credentials)
    if key is None:
        raise ProblemError(401, "the API key is unknown, mistyped or revoked", headers=CHALLENGE)
    return key.clearance


@router.get(
    "/health",
    response_model=HealthDetail | Health,
    responses=responses(401, 503),
    summary="Liveness (no key needed); with a key, the head and lag its clearance sees",
    openapi_extra={"security": [{}]},  # with the bearer scheme: the key is optional here
)
async def health(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> HealthDetail | Health:
    """200 while the database answers, 503 when it cannot be reached. Without a key
    (load balancers) only `status`. With a key of any role, as a ledger holding only the
    events its clearance covers would answer: `head` is the newest such event (with its
    hash and record time), and each projection's `cursor` the newest such event it has
    folded, its `lag` how many such events it has not; nothing here changes when an
    event the key may not see is appended or folded."""
    clearance = await _clearance(request, credentials)
    async with lookup(request) as conn:
        if clearance is None:
            await conn.execute("SELECT 1")
            return Health(status="ok")
        seen = await seen_head_async(conn, clearance, list(PROJECTIONS))
    return HealthDetail(
        status="ok",
        head=seen.position,
        head_hash=seen.hash.hex(),
        head_recorded_at=seen.recorded_at,
        projections=[
            ProjectionState(name=p.name, cursor=p.cursor, lag=p.lag) for p in seen.projections
        ],
    )
