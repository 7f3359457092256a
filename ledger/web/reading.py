"""Where a read answers: the one rule the API's routes and the workbench's pages both
follow. From the read context their key check fetched (``ledger.web.context``), after
waiting for ``at_least`` (``ledger.web.freshness``), by the read service's rule
(``choose_position``); each face turns a refusal into its own answer (a problem
document, a page that says why)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ledger.projection.service import ReadPosition, choose_position
from ledger.web.context import ReadContext, load_context
from ledger.web.freshness import reached
from ledger.web.services import services


@dataclass(frozen=True)
class Resolved:
    """The position a read answers at, and the read context it was chosen from."""

    at: ReadPosition
    context: ReadContext


async def resolve(
    request: Request,
    projections: Sequence[str],
    *,
    as_of: datetime | None,
    valid_at: datetime | None = None,
    pinned: int | None = None,
    at_least: int | None = None,
) -> Resolved:
    """The position to answer a read of ``projections`` at. Refuses with PositionAhead
    (``at_least`` past the head), ProjectionsNotReady (none built yet) or PageAhead
    (``pinned`` past what the projections hold)."""
    context = getattr(request.state, "read_context", None)
    if not isinstance(context, ReadContext) or context.as_of != as_of:
        await load_context(request, None)  # a request without a key check: fetch it here
        context = request.state.read_context
    if at_least is not None:
        context = await reached(request, context, projections, at_least)
    known = context.known
    if as_of is not None and context.as_of != as_of:  # an as_of the query did not give
        known = await run_in_threadpool(services(request).ledger.position_at, as_of)
    at = choose_position(
        context.cursors,
        projections,
        as_of=as_of,
        known=known,
        pinned=pinned,
        valid_at=valid_at,
    )
    return Resolved(at, context)
