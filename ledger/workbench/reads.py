"""The one place a workbench request acquires the read service and its position.

Every page calls ``reads_for``: the same read service the HTTP API reads through
(``services(request).reads``), at the position the API's own rule chooses
(``ledger.web.reading.resolve``) from the cursors the key check fetched, read as the
key's clearance would (its own projections, caught up to the operator's cursor): every
page sees what the same key sees through the API, and nothing else in the workbench
touches the read service directly.
"""

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import PageAhead, ProjectionsNotReady
from ledger.projection.service import ReadPosition, ReadService
from ledger.web.freshness import PositionAhead
from ledger.web.reading import resolve
from ledger.web.services import services
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
    """The reader for ``visitor`` and the position the time controls name
    (``ledger.web.reading.resolve``, the API's rule too)."""
    try:
        resolved = await resolve(
            request,
            projections,
            as_of=controls.as_of,
            valid_at=controls.valid_at,
            pinned=controls.position,
            at_least=controls.at_least,
        )
    except PositionAhead as exc:
        raise CannotRead(f"at_least: {exc}") from None
    except ProjectionsNotReady as exc:
        raise CannotRead(str(exc)) from None
    except PageAhead:
        cursors = request.state.read_context.cursors or {}
        cursor = min(int(cursors.get(name, 0)) for name in projections)
        raise CannotRead(
            f"position {controls.position} is past what the projections hold ({cursor})"
        ) from None
    at, context = resolved.at, resolved.context
    reads = services(request).reads.for_clearance(clearance_of(visitor))
    await run_in_threadpool(reads.catch_up, at.projection_cursor)
    return Reading(reads, at, context.head or 0, dict(context.cursors or {}))


def clearance_of(visitor: Visitor) -> Clearance:
    """What the visitor's key may see; a server that admits everyone answers as the
    operator (as the API does with --insecure-no-auth)."""
    return visitor.key.clearance if visitor.key is not None else OPERATOR
