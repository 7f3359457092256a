"""The read service: the one way answers are read, by the CLI, the HTTP API, the audit
replay and the Dagster checks alike.

It chooses the position to answer at (the projections' cursor, what was known at an
``as_of`` record time, or the position a page token pinned), reads the projections at
that position, and returns one view type per answer (``ledger.projection.views``).
Because every answer is a function of the position alone, the same position gives the
same rows whichever interface asks.
"""

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

from ledger.domain.claim_status import ClaimStatus
from ledger.domain.gazetteer import NameNotFound
from ledger.domain.marking import OPERATOR, Clearance, Marking
from ledger.domain.posture import STALE_AFTER_DAYS, PostureStatus
from ledger.errors import PageAhead, ProjectionsNotReady
from ledger.ports import LedgerStore
from ledger.projection import (
    claim_history,
    claim_names,
    clearances,
    gazetteer,
    posture_reads,
    schema,
    sources,
)
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.projection.schema import SCHEMA
from ledger.projection.views import (
    ClaimHistory,
    ClaimView,
    DocumentView,
    GazetteerEntryView,
    PostureView,
    SourceView,
    TimelineStep,
)
from ledger.store.connection import Conn

POSTURE = ("force_posture", "claim_history", "sources")
"""What posture answers read: reports, claims (retractions, origins), sources (grades)."""
CLAIMS = ("claim_history", "sources", "force_posture")
SOURCES = ("sources",)
DOCUMENTS = ("sources", "claim_history")

LIVE = frozenset(PostureStatus) - {PostureStatus.RETRACTED}
"""The statuses shown unless retracted rows are asked for."""


@dataclass(frozen=True)
class ReadPosition:
    """Where an answer is read: events 1..position, and how far each projection had got."""

    position: int
    projection_cursor: int
    projections: dict[str, int]
    as_of: datetime | None = None
    valid_at: datetime | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the answer was asked for: the world time of posture rows without ``valid_at``."""

    @property
    def world_time(self) -> datetime:
        """The world time W the posture rules answer for: ``valid_at``, else now."""
        return self.valid_at if self.valid_at is not None else self.now


def choose_position(
    cursors: Mapping[str, int] | None,
    projections: Sequence[str],
    *,
    as_of: datetime | None = None,
    known: int | None = None,
    pinned: int | None = None,
    valid_at: datetime | None = None,
) -> ReadPosition:
    """The position to answer at, from the projections' cursors (None: never built),
    ``known`` (the last position recorded by ``as_of``) and a ``pinned`` page position."""
    if not cursors:
        raise ProjectionsNotReady("the projections are not built yet: run `ledger project` first")
    read = {name: int(cursors.get(name, 0)) for name in projections}
    cursor = min(read.values())
    if pinned is not None:
        if pinned > cursor:
            raise PageAhead("the page token is ahead of the projection (was it rebuilt?)")
        position = pinned
    elif as_of is not None:
        position = min(cursor, known or 0)
    else:
        position = cursor
    return ReadPosition(position, cursor, read, as_of, valid_at)


T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class Page(Generic[T, K]):
    """Some rows of an answer, and the key to continue from (None at the end)."""

    items: list[T]
    last: K | None


class ReadService:
    """Reads the projections (in ``schema``) of one ledger at chosen positions, as a
    reader with ``clearance`` would: from the projections folded for that clearance
    (``for_clearance``), through a transaction whose row-level security enforces it."""

    def __init__(
        self,
        store: LedgerStore,
        schema_name: str = SCHEMA,
        clearance: Clearance = OPERATOR,
    ) -> None:
        self.store = store
        self.schema = schema_name
        self.clearance = clearance
        self._gazetteer: gazetteer.Gazetteer | None = None
        self._gazetteer_lock = threading.Lock()
        self._cleared: dict[Clearance, ReadService] = {}
        self._folded = -1
        """How far this clearance's projections are folded; -1 before the first fold,
        which creates their tables (so an empty ledger's projections exist too)."""
        self._lock = threading.Lock()

    # -- need-to-know ----------------------------------------------------------------

    def for_clearance(self, clearance: Clearance) -> "ReadService":
        """The read service answering as ``clearance`` would (itself for the operator)."""
        if clearance == self.clearance:
            return self
        with self._lock:
            found = self._cleared.get(clearance)
            if found is None:
                found = ReadService(self.store, clearances.schema_for(clearance), clearance)
                self._cleared[clearance] = found
        return found

    def catch_up(self, position: int) -> None:
        """Fold this clearance's projections up to ``position`` (the operator's cursor),
        so that it answers at the same positions as the operator; nothing to do for the
        operator, whose projections the Dagster run folds."""
        if self.clearance.is_operator or self._folded >= position:
            return
        with self._lock:
            if self._folded >= position:
                return
            for name in PROJECTIONS:
                fold(
                    self.store,
                    name,
                    upto=position,
                    schema=self.schema,
                    with_digest=False,
                    clearance=self.clearance,
                )
            self._folded = position

    def catch_up_with_operator(self) -> None:
        """Fold this clearance's projections as far as the operator's have got."""
        if self.clearance.is_operator:
            return
        with self.store.connection() as conn:
            found = schema.cursors(conn, SCHEMA)
        if found:
            self.catch_up(min(found.get(name, 0) for name in PROJECTIONS))

    def marking(self, positions: Iterable[int]) -> Marking:
        """The marking of an answer resting on the events at ``positions``."""
        return self.store.marking_of(sorted(set(positions)))

    # -- the gazetteer ---------------------------------------------------------------

    def gazetteer(self, at: ReadPosition) -> gazetteer.Gazetteer:
        """The gazetteer index covering the read's position (built at that position or
        a later one: readers pass ``upto=at.position``), grown when reads move on."""
        kept = self._gazetteer
        if kept is None or kept.position < at.position:
            with self._gazetteer_lock:
                kept = self._gazetteer
                if kept is None or kept.position < at.position:
                    with self._conn() as conn:
                        kept = (
                            gazetteer.load(conn, at.position, self.schema)
                            if kept is None
                            else gazetteer.extend(kept, conn, at.position, self.schema)
                        )
                    self._gazetteer = kept
        return kept

    def resolve(self, at: ReadPosition, kind: str, given: str, parameter: str) -> str:
        """The id of the ``kind`` (actor, place, source, document) that ``given`` names:
        an id, name or alias (a document's title), or an id the reports or claims use
        though nobody registered it. Raises NameNotFound (with suggestions) or
        NameAmbiguous."""
        try:
            return self.gazetteer(at).register(kind).resolve(given, parameter, at.position)
        except NameNotFound:
            with self._conn() as conn:
                if gazetteer.named_in_data(conn, kind, given, at.position, self.schema):
                    return given
            raise

    def resolve_actor(
        self, at: ReadPosition, given: str, parameter: str, include_subordinates: bool = False
    ) -> list[str]:
        """The actor ``given`` names, with its sub-units and coalition members if asked."""
        actor_id = self.resolve(at, "actor", given, parameter)
        if not include_subordinates:
            return [actor_id]
        return self.gazetteer(at).roll_up(actor_id, at.position)

    def entries(self, at: ReadPosition, kind: str) -> list[GazetteerEntryView]:
        """Every registered actor, place or source known at the position, by id."""
        with self._conn() as conn:
            counts = gazetteer.report_counts(conn, kind, at.position, self.schema)
        return [
            GazetteerEntryView(
                id=e.id,
                kind=e.kind,
                name=e.name,
                aliases=e.aliases,
                parent_id=e.parent_id,
                member_of=e.member_of,
                latitude=e.latitude,
                longitude=e.longitude,
                position=e.position,
                reports=counts.get(e.id, 0),
            )
            for e in gazetteer.entries(self.gazetteer(at), kind, at.position)
        ]

    def _named(self, at: ReadPosition, views: list[PostureView]) -> list[PostureView]:
        """Posture rows with the actor's name and the place's coordinates beside the ids,
        the place by its registered name (Damascus) and the report's wording ("the Syria
        capital") as detail."""
        found = self.gazetteer(at)
        named = []
        for v in views:
            place = found.places.get(v.place_key, at.position)
            name = place.name if place else v.place
            named.append(
                replace(
                    v,
                    actor=found.actors.name_of(v.actor_id, at.position),
                    latitude=place.latitude if place else None,
                    longitude=place.longitude if place else None,
                    place=name,
                    place_reported=v.place if v.place != name else None,
                )
            )
        return named

    @contextmanager
    def _conn(self) -> Iterator[Conn]:
        with self.store.cleared(self.clearance) as conn:
            yield conn

    def cursors(self) -> dict[str, int]:
        with self._conn() as conn:
            return schema.cursors(conn, self.schema)

    def position(
        self,
        projections: Sequence[str],
        *,
        as_of: datetime | None = None,
        pinned: int | None = None,
        valid_at: datetime | None = None,
    ) -> ReadPosition:
        """Where to answer (see ``choose_position``), read from the database."""
        known = self.store.position_at(as_of) if as_of is not None else None
        return choose_position(
            self.cursors(), projections, as_of=as_of, known=known, pinned=pinned, valid_at=valid_at
        )

    # -- posture ---------------------------------------------------------------------

    def posture(
        self,
        at: ReadPosition,
        *,
        actor: posture_reads.Actors = None,
        place: str | None = None,
        statuses: frozenset[PostureStatus] | None = LIVE,
        after: tuple[str, str] | None = None,
        limit: int | None = 100,
        stale_after: int = STALE_AFTER_DAYS,
    ) -> Page[PostureView, tuple[str, str]]:
        """Posture rows in (actor, place) order; ``limit=None`` answers them all at once.
        ``actor`` may be several ids (a roll-up).

        At the force_posture cursor with no world time the kept latest rows answer for
        the pairs settled by now, the rules the rest; anywhere else the rules run on the
        reports known at the position. Both give the same rows (the fold's invariant,
        checked by the Dagster checks)."""
        world = at.world_time
        self.gazetteer(at)  # built before a connection is held, names the rows below
        with self._conn() as conn:
            if at.position == at.projections.get("force_posture") and at.valid_at is None:
                rows, last = posture_reads.current(
                    conn,
                    at.position,
                    world,
                    actor=actor,
                    place=place,
                    statuses=statuses,
                    after=after,
                    limit=limit,
                    stale_after=stale_after,
                    schema=self.schema,
                )
                return Page(self._named(at, rows), last)
            if limit is None:
                found = posture_reads.posture(
                    conn,
                    at.position,
                    valid_at=world,
                    actor=actor,
                    place=place,
                    schema=self.schema,
                )
                views = [PostureView.of(r, world, stale_after) for r in found]
                kept = [v for v in views if statuses is None or v.status in statuses]
                return Page(self._named(at, kept), None)
            views, last = posture_reads.posture_at(
                conn,
                at.position,
                valid_at=world,
                actor=actor,
                place=place,
                statuses=statuses,
                after=after,
                limit=limit,
                stale_after=stale_after,
                schema=self.schema,
            )
        return Page(self._named(at, views), last)

    def timeline(
        self,
        at: ReadPosition,
        *,
        actor: posture_reads.Actors = None,
        place: str | None = None,
        after: int = 0,
        limit: int | None = 100,
        stale_after: int = STALE_AFTER_DAYS,
    ) -> Page[TimelineStep, int]:
        """The posture (valid at the read's world time) after each report on the actor or
        at the place, oldest first."""
        with self._conn() as conn:
            steps = posture_reads.timeline(
                conn,
                at.position,
                at.world_time,
                actor=actor,
                place=place,
                after=after,
                limit=limit,
                stale_after=stale_after,
                schema=self.schema,
            )
        full = limit is not None and len(steps) == limit
        named = [replace(s, rows=tuple(self._named(at, list(s.rows)))) for s in steps]
        return Page(named, steps[-1].position if full else None)

    # -- claims ----------------------------------------------------------------------

    def claims(
        self,
        at: ReadPosition,
        *,
        statuses: frozenset[ClaimStatus] | None = None,
        actor: str | None = None,
        source: str | None = None,
        document: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page[ClaimView, str]:
        with self._conn() as conn:
            views, last = claim_history.claims(
                conn,
                at.position,
                statuses=statuses,
                actor=actor,
                source=source,
                document=document,
                after=after,
                limit=limit,
                schema=self.schema,
            )
        return Page(views, last)

    def claim(self, at: ReadPosition, claim_id: str) -> ClaimHistory | None:
        """One claim's history, or None when no event known at the position names it."""
        with self._conn() as conn:
            return claim_history.claim_history(conn, claim_id, at.position, self.schema)

    def similar_claims(self, at: ReadPosition, given: str) -> list[str]:
        """Claim ids known at the position that look like ``given`` (for "did you
        mean"), among the claims this clearance sees."""
        with self._conn() as conn:
            return claim_names.similar_claims(conn, given, at.position, self.schema)

    def unresolved(self, at: ReadPosition, after: int = 0) -> list[tuple[int, str, str]]:
        """References to claims not asserted by the position, made after ``after``."""
        with self._conn() as conn:
            return claim_history.unresolved_references(conn, at.position, self.schema, after)

    def last_increment_start(self, projections: Sequence[str]) -> int:
        """Where the earliest of the projections' last folds started."""
        with self._conn() as conn:
            found = [schema.cursor_of(conn, name, self.schema) for name in projections]
        return min((c.previous for c in found if c is not None), default=0)

    # -- sources and documents -------------------------------------------------------

    def sources(
        self,
        at: ReadPosition,
        *,
        source_ids: list[str] | None = None,
        after: str | None = None,
        limit: int | None = 100,
    ) -> Page[SourceView, str]:
        with self._conn() as conn:
            views = sources.sources(
                conn,
                at.position,
                source_ids=source_ids,
                after=after,
                limit=limit,
                schema=self.schema,
            )
        full = limit is not None and len(views) == limit
        return Page(views, views[-1].source_id if full else None)

    def documents(
        self,
        at: ReadPosition,
        *,
        document_ids: list[str] | None = None,
        outlet: str | None = None,
        after: str | None = None,
        limit: int | None = 100,
    ) -> Page[DocumentView, str]:
        with self._conn() as conn:
            views = sources.documents(
                conn,
                at.position,
                document_ids=document_ids,
                outlet=outlet,
                after=after,
                limit=limit,
                schema=self.schema,
            )
        full = limit is not None and len(views) == limit
        return Page(views, views[-1].document_id if full else None)
