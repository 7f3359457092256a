"""Which ids an event registers and which it names, and which names a batch leaves
dangling: neither registered earlier in the batch nor (as the caller finds out) in the
ledger. Pure: the lookup of registered ids is the store's (``ledger.store.gazetteer``).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ledger.domain.events import (
    ActorRegistered,
    AttributionMade,
    ClaimAsserted,
    ClaimAssessed,
    ClaimRetracted,
    DeploymentReported,
    DocumentIngested,
    Event,
    PlaceRegistered,
    SourceRegistered,
    SourceReliabilityAssessed,
)


class Kind(StrEnum):
    """What an id names; each kind is registered by one event type."""

    ACTOR = "actor"
    PLACE = "place"
    SOURCE = "source"
    DOCUMENT = "document"
    CLAIM = "claim"


REGISTERED_BY: dict[Kind, type[Event]] = {
    Kind.ACTOR: ActorRegistered,
    Kind.PLACE: PlaceRegistered,
    Kind.SOURCE: SourceRegistered,
    Kind.DOCUMENT: DocumentIngested,
    Kind.CLAIM: ClaimAsserted,
}
"""The event that brings an id of each kind into being."""

_SUBJECT: dict[type[Event], tuple[Kind, str]] = {
    model: (kind, model._stream_key) for kind, model in REGISTERED_BY.items()
}


@dataclass(frozen=True)
class Reference:
    """``field`` of an event names the ``kind`` with ``id``."""

    kind: Kind
    id: str
    field: str


def registered_id(event: Event) -> tuple[Kind, str] | None:
    """The (kind, id) an event registers, if it is a registration."""
    subject = _SUBJECT.get(type(event))
    if subject is None:
        return None
    kind, key = subject
    return kind, str(getattr(event, key))


# one case per event type: the table of what each event names
def references(event: Event) -> Iterator[Reference]:  # noqa: C901
    """Every id an event names other than the one it registers."""

    def one(kind: Kind, value: str | None, field: str) -> Iterator[Reference]:
        if value is not None:
            yield Reference(kind, value, field)

    def many(kind: Kind, values: Iterable[str], field: str) -> Iterator[Reference]:
        for index, value in enumerate(values):
            yield Reference(kind, value, f"{field}.{index}")

    match event:
        case SourceRegistered():
            yield from one(Kind.SOURCE, event.affiliated_source_id, "affiliated_source_id")
        case SourceReliabilityAssessed():
            yield from one(Kind.SOURCE, event.source_id, "source_id")
        case DocumentIngested():
            yield from one(Kind.SOURCE, event.outlet_source_id, "outlet_source_id")
            yield from many(Kind.SOURCE, event.author_source_ids, "author_source_ids")
        case ClaimAsserted():
            yield from one(Kind.DOCUMENT, event.document_id, "document_id")
            yield from many(Kind.ACTOR, event.actor_ids, "actor_ids")
            yield from many(Kind.PLACE, event.place_ids, "place_ids")
        case AttributionMade():
            yield from one(Kind.CLAIM, event.claim_id, "claim_id")
            yield from one(Kind.SOURCE, event.source_id, "source_id")
            yield from one(Kind.SOURCE, event.via_source_id, "via_source_id")
            yield from one(Kind.DOCUMENT, event.document_id, "document_id")
        case DeploymentReported():
            yield from one(Kind.CLAIM, event.claim_id, "claim_id")
            yield from one(Kind.ACTOR, event.actor_id, "actor_id")
            yield from one(Kind.PLACE, event.place.place_id, "place.place_id")
        case ClaimAssessed():
            yield from one(Kind.CLAIM, event.claim_id, "claim_id")
            yield from one(Kind.CLAIM, event.related_claim_id, "related_claim_id")
        case ClaimRetracted():
            yield from one(Kind.CLAIM, event.claim_id, "claim_id")
            yield from one(Kind.CLAIM, event.superseded_by_claim_id, "superseded_by_claim_id")
        case ActorRegistered():
            yield from one(Kind.ACTOR, event.parent_actor_id, "parent_actor_id")
            yield from many(Kind.ACTOR, event.member_of, "member_of")
        case PlaceRegistered():
            yield from one(Kind.PLACE, event.parent_place_id, "parent_place_id")


@dataclass(frozen=True)
class Unregistered:
    """An id a batch names before (or without) registering it: where it is first named,
    and how many more times the batch names it."""

    kind: Kind
    id: str
    record: int
    field: str
    more: int = 0


class ReferenceScan:
    """Fed a batch's events in order, collects the ids they name that the batch has not
    registered before; memory grows with distinct ids, not with the batch."""

    def __init__(self) -> None:
        self._registered: set[tuple[Kind, str]] = set()
        self._first: dict[tuple[Kind, str], Unregistered] = {}

    def add(self, record: int, event: Event) -> None:
        for reference in references(event):
            key = (reference.kind, reference.id)
            if key in self._registered:
                continue
            seen = self._first.get(key)
            if seen is None:
                self._first[key] = Unregistered(key[0], key[1], record, reference.field)
            else:
                self._first[key] = Unregistered(
                    seen.kind, seen.id, seen.record, seen.field, seen.more + 1
                )
        subject = registered_id(event)
        if subject is not None:
            self._registered.add(subject)

    @property
    def unregistered(self) -> list[Unregistered]:
        """Ids named before any registration in the batch, in the order first named."""
        return list(self._first.values())


def dangling(
    unregistered: Iterable[Unregistered], in_ledger: set[tuple[Kind, str]]
) -> list[Unregistered]:
    """The ids the ledger does not hold either: the references to nothing."""
    return [u for u in unregistered if (u.kind, u.id) not in in_ledger]
