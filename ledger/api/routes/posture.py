"""Force posture: now, as known at any past record time, valid at any world time."""

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ledger.api.auth import Reader
from ledger.api.freshness import Fresh
from ledger.api.models import PostureItem, PosturePage, Timeline, TimelineStep
from ledger.api.names import resolving
from ledger.api.problems import ProblemError, responses
from ledger.api.reading import (
    PROOF_PENDING,
    Pages,
    Provable,
    answer,
    read_at,
)
from ledger.api.routes.params import AsOf, Cursor, Limit, ValidAt
from ledger.domain.posture import STALE_AFTER_DAYS, PostureStatus
from ledger.projection.service import POSTURE, ReadPosition, ReadService
from ledger.projection.views import PostureView

router = APIRouter(
    tags=["posture"], dependencies=[Reader, Provable, Fresh], responses=PROOF_PENDING
)


ActorName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="An actor: id, name or alias, any case (actor:hezbollah, Hizballah).",
    ),
]
PlaceName = Annotated[
    str | None,
    Query(min_length=1, max_length=200, description="A place: id, name or alias (Idlib)."),
]
IncludeSubordinates = Annotated[
    bool,
    Query(description="With `actor`: also its sub-units and coalition members."),
]
StaleAfter = Annotated[
    int,
    Query(ge=0, le=100_000, description="Rows whose winner started more days ago are stale."),
]


def _filters(
    reads: ReadService,
    position: ReadPosition,
    actor: str | None,
    place: str | None,
    include_subordinates: bool,
) -> tuple[list[str] | None, str | None]:
    """The actor ids (with the roll-up) and the place key the filters name."""
    with resolving():
        actors = (
            reads.resolve_actor(position, actor, "query.actor", include_subordinates)
            if actor is not None
            else None
        )
        place_key = reads.resolve(position, "place", place, "query.place") if place else None
    return actors, place_key


def items(views: Iterable[PostureView]) -> list[PostureItem]:
    return [PostureItem.model_validate(v) for v in views]


@router.get(
    "/posture",
    response_model=PosturePage,
    responses=responses(401, 403, 422, 503),
    summary="Force posture, current or as of a past moment",
)
async def posture(
    request: Request,
    as_of: AsOf = None,
    valid_at: ValidAt = None,
    actor: ActorName = None,
    place: PlaceName = None,
    include_subordinates: IncludeSubordinates = False,
    stale_after: StaleAfter = STALE_AFTER_DAYS,
    status: Annotated[
        list[PostureStatus] | None,
        Query(description="Only rows with these statuses (repeat the parameter for more)."),
    ] = None,
    include_retracted: Annotated[
        bool, Query(description="Keep rows whose every report was retracted.")
    ] = False,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """One row per (actor, place): the strength and activity the ledger holds, the grade
    of the source behind it, and every report position it rests on. Rows whose reports
    were all retracted are left out unless `include_retracted` or `status=RETRACTED`.
    `actor` and `place` take an id, name or alias; an unknown or ambiguous one is a 422
    naming the parameter, with suggestions or candidates."""
    pages = Pages(request)
    pinned, after = pages.resume(cursor, tuple) if cursor else (None, None)
    wanted = frozenset(status) if status else None
    if wanted is None and not include_retracted:
        wanted = frozenset(PostureStatus) - {PostureStatus.RETRACTED}
    at = await read_at(request, POSTURE, as_of=as_of, valid_at=valid_at, pinned=pinned)

    def build(reads: ReadService, position: ReadPosition) -> PosturePage:
        actors, place_key = _filters(reads, position, actor, place, include_subordinates)
        page = reads.posture(
            position,
            actor=actors,
            place=place_key,
            statuses=wanted,
            after=after,
            limit=limit,
            stale_after=stale_after,
        )
        return PosturePage(
            read_at=at,
            items=items(page.items),
            next_cursor=pages.next(at.position, page.last) if page.last else None,
        )

    return await answer(request, at, build)


@router.get(
    "/posture/timeline",
    response_model=Timeline,
    responses=responses(401, 403, 422, 503),
    summary="How the posture of an actor or at a place changed, report by report",
)
async def timeline(
    request: Request,
    actor: ActorName = None,
    place: PlaceName = None,
    as_of: AsOf = None,
    include_subordinates: IncludeSubordinates = False,
    stale_after: StaleAfter = STALE_AFTER_DAYS,
    limit: Annotated[int, Query(ge=1, le=200, description="Most steps in one page.")] = 50,
    cursor: Cursor = None,
) -> Response:
    """After each deployment report on the actor (or at the place), the posture rows it
    touched, oldest first. Give `actor` or `place` (or both)."""
    if actor is None and place is None:
        raise ProblemError(422, "query: give actor or place (or both) for a timeline")
    pages = Pages(request)
    pinned, after = pages.resume(cursor, int) if cursor else (None, 0)
    at = await read_at(request, POSTURE, as_of=as_of, pinned=pinned)

    def build(reads: ReadService, position: ReadPosition) -> Timeline:
        actors, place_key = _filters(reads, position, actor, place, include_subordinates)
        page = reads.timeline(
            position,
            actor=actors,
            place=place_key,
            after=after,
            limit=limit,
            stale_after=stale_after,
        )
        return Timeline(
            read_at=at,
            actor_id=actors[0] if actors else None,
            place_key=place_key,
            steps=[TimelineStep(position=s.position, rows=items(s.rows)) for s in page.items],
            next_cursor=pages.next(at.position, page.last) if page.last else None,
        )

    return await answer(request, at, build)
