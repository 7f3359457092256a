"""The one place a workbench request acquires the read service and its position.

Every page calls ``reads_for``: the same read service the HTTP API reads through
(``services(request).reads``), at the position the API's rule chooses from the cursors
the key check fetched. This is where a key's clearance selects the reader once keys
carry clearances; nothing else in the workbench touches the read service directly.
"""

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from ledger.api.auth import ReadContext, load_context
from ledger.api.services import services
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
    return Reading(services(request).reads, at, context.head or 0, dict(context.cursors or {}))
