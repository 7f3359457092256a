"""Liveness and lag: the ledger head and how far each projection has folded it."""

from fastapi import APIRouter, Depends, Request

from ledger.api.auth import known_parameters
from ledger.api.models import Health, ProjectionState
from ledger.api.problems import responses
from ledger.api.services import lookup
from ledger.chain import GENESIS_HASH
from ledger.projection.catalog import PROJECTIONS
from ledger.records import Head


async def _no_parameters(request: Request) -> None:
    known_parameters(request)  # async, so no thread is taken for it


router = APIRouter(tags=["health"], dependencies=[Depends(_no_parameters)])


@router.get(
    "/health",
    response_model=Health,
    responses=responses(503),
    summary="Ledger head, projection cursors and lag (no key needed)",
)
async def health(request: Request) -> Health:
    """200 while the database answers, 503 when it cannot be reached. Open to callers
    without a key, so load balancers can probe it; it shows no event content, and the
    head's record time only when the head event is open (UNCLASSIFIED, no compartments)."""
    async with lookup(request) as conn:
        cursor = await conn.execute(
            "SELECT e.position, e.hash, CASE WHEN EXISTS (SELECT 1 FROM ledger.markings m"
            " WHERE m.position = e.position AND m.rank = 0 AND m.compartments = '{}')"
            " THEN e.recorded_at END, ledger.projection_cursors()"
            " FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT position, hash, recorded_at"
            " FROM ledger.events ORDER BY position DESC LIMIT 1) AS e ON true"
        )
        row = await cursor.fetchone()
    assert row is not None
    found = row if row[0] is not None else None
    built = row[3] or {}
    head = Head(found[0], bytes(found[1]), found[2]) if found else Head(0, GENESIS_HASH, None)
    cursors = {name: int(built.get(name, 0)) for name in PROJECTIONS}
    return Health(
        status="ok",
        head=head.position,
        head_hash=head.hash.hex(),
        head_recorded_at=head.recorded_at,
        projections=[
            ProjectionState(name=name, cursor=cursor, lag=head.position - cursor)
            for name, cursor in cursors.items()
        ],
    )
