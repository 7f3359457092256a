"""The one place a workbench request acquires the read service and its position.

Every page calls ``reads_for``: the same read service the HTTP API reads through
(``services(request).reads``), at the position the API's rule chooses from the cursors
the key check fetched, read as the key's clearance would (its own projections, caught
up to the operator's cursor): every page sees what the same key sees through the API,
and nothing else in the workbench touches the read service directly.
"""

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ledger.api.auth import ReadContext, load_context
from ledger.api.freshness import PositionAhead, reached
from ledger.api.services import services
from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import PageAhead, ProjectionsNotReady
from ledger.projection.service import ReadPosition, ReadService, choose_position
from ledger.workbench.access import Visitor
from ledger.workbench.controls import TimeControls


class CannotRead(Exception):
    """The read cannot be answered as asked (projections not built, position ahead)."""


@dataclass(frozen=True)
class Reading:
    """A read service and the position a page answers at, with how far the ledger is."""

    reads: ReadService
    at: ReadPosition
    head: int
    cursors: dict[str, int]

    @property
    def behind_by(self) -> int:
        return max(self.head - self.at.projection_cursor, 0)


async def reads_for(
    request: Request, visitor: Visitor, controls: TimeControls, projections: tuple[str, ...]
) -> Reading:
    """The reader for ``visitor`` and the position the time controls name."""
    context: Any = getattr(request.state, "read_context", None)
    if not isinstance(context, ReadContext) or context.as_of != controls.as_of:
        await load_context(request, None)
        context = request.state.read_context
    if controls.at_least is not None:
        try:
            context = await reached(request, context, projections, controls.at_least)
        except PositionAhead as exc:
            raise CannotRead(f"at_least: {exc}") from None
    if controls.as_of is not None and context.as_of != controls.as_of:
        known = services(request).ledger.position_at(controls.as_of)
    else:
        known = context.known
    try:
        at = choose_position(
            context.cursors,
            projections,
            as_of=controls.as_of,
            known=known,
            pinned=controls.position,
            valid_at=controls.valid_at,
        )
    except ProjectionsNotReady as exc:
        raise CannotRead(str(exc)) from None
    except PageAhead:
        cursor = min(int((context.cursors or {}).get(name, 0)) for name in projections)
        raise CannotRead(
            f"position {controls.position} is past what the projections hold ({cursor})"
        ) from None
    reads = services(request).reads.for_clearance(clearance_of(visitor))
    await run_in_threadpool(reads.catch_up, at.projection_cursor)
    return Reading(reads, at, context.head or 0, dict(context.cursors or {}))


def clearance_of(visitor: Visitor) -> Clearance:
    """What the visitor's key may see; a server that admits everyone answers as the
    operator (as the API does with --insecure-no-auth)."""
    return visitor.key.clearance if visitor.key is not None else OPERATOR
