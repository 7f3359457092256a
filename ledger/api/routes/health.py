"""Liveness and lag: the ledger head and how far each projection has folded it."""

from fastapi import APIRouter, Depends, Request

from ledger.api import deps
from ledger.api.models import Health, ProjectionState
from ledger.api.problems import responses
from ledger.projection import queries, tables
from ledger.projection.fold import PROJECTIONS

router = APIRouter(tags=["health"], dependencies=[Depends(deps.known_parameters)])


@router.get(
    "/health",
    response_model=Health,
    responses=responses(503),
    summary="Ledger head, projection cursors and lag (no key needed)",
)
def health(request: Request) -> Health:
    """200 while the database answers, 503 when it cannot be reached. Open to callers
    without a key, so load balancers can probe it; it shows no event content."""
    ledger = deps.services(request).ledger
    head = ledger.head()
    with ledger.connection() as conn:
        built = tables.exists(conn)
        cursors = {name: queries.cursor(conn, name) if built else 0 for name in PROJECTIONS}
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
