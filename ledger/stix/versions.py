"""Object versions: which events make a version of a ledger object, and what it holds.

Rules (STIX 3.6: a version is its id and ``modified``, and every copy of a version must
hold the same properties and values; need-to-know: an answer for a clearance is what the
events it sees alone would give):

1. Each event makes at most one version, of the one object it is about; ``modified`` is
   the event's record time, which the ledger makes unique per event, so (id, modified)
   names one event, and TAXII's ``date_added`` of the version can be that same time.
2. The version an event makes rests on the object's events up to it whose marking its
   own marking covers (``covers``): a function of those events alone, so every reader
   who may see the version (whose clearance covers its marking) gets the same one. Its
   marking is therefore that event's, and its ``created`` the record time of the first
   event that brought the object into being among them.
3. A reader is given the versions of the events it sees, except where that would break
   the object's history as it sees it: no version before the object's first creating
   event, none whose marking does not cover that event's (its ``created`` would differ
   from the one the reader already has), and none after a version that revoked the
   object (STIX: revocation is final). Which versions a reader gets thus depends on
   what it sees; what a version holds never does.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.marking import Marking, highest
from ledger.stix.context import Context
from ledger.stix.facts import Fact, covers
from ledger.stix.ids import EXTENSION
from ledger.stix.markings import marking_refs
from ledger.stix.times import stamp

Rendered = tuple[dict[str, Any], dict[str, Any]]
"""A version's own STIX properties and its extension properties."""


@dataclass(frozen=True)
class ObjectKind:
    """How one kind of ledger object becomes a STIX object."""

    name: str
    """``source``, ``claim``, ...: the ``ledger_object`` value in our extension."""
    stix_type: str
    key: str
    """The record field holding the object's ledger id."""
    creates: frozenset[str]
    """The event types that bring the object into being."""
    updates: frozenset[str]
    """The event types that change it afterwards."""
    render: Callable[[Sequence[Fact], Context], Rendered | None]
    """The version's properties from the facts it rests on (creating ones among them),
    or None when they do not make a valid object."""

    @property
    def event_types(self) -> frozenset[str]:
        return self.creates | self.updates

    def ref(self, context: Context, ledger_id: str) -> str:
        return context.ref(self.stix_type, self.name, ledger_id)


def rests_on(facts: Sequence[Fact]) -> list[dict[str, Any]]:
    """The ledger events a version rests on: position, type and marking of each."""
    found = []
    for fact in facts:
        entry: dict[str, Any] = {
            "position": fact.position,
            "event_type": fact.event_type,
            "level": str(fact.marking.level),
        }
        if fact.marking.compartments:
            entry["compartments"] = sorted(fact.marking.compartments)
        found.append(entry)
    return found


@dataclass(frozen=True)
class Version:
    """One version of an object: the STIX object and the marking it carries."""

    object: dict[str, Any]
    marking: Marking

    @property
    def revoked(self) -> bool:
        return self.object.get("revoked") is True


def version(kind: ObjectKind, facts: Sequence[Fact], context: Context) -> Version | None:
    """The version resting on ``facts`` (in position order, the last being the event
    that makes it), or None if they make none (rule 2)."""
    creators = [f for f in facts if f.event_type in kind.creates]
    if not creators:
        return None
    rendered = kind.render(facts, context)
    if rendered is None:
        return None
    properties, extension = rendered
    ledger_id = str(creators[-1].record[kind.key])
    marking = highest(f.marking for f in facts)
    made = {
        "type": kind.stix_type,
        "spec_version": "2.1",
        "id": kind.ref(context, ledger_id),
        "created": stamp(creators[0].recorded_at),
        "modified": stamp(facts[-1].recorded_at),
        "created_by_ref": context.creator,
        "object_marking_refs": marking_refs(context, marking),
        **properties,
        "extensions": {
            EXTENSION: {
                "extension_type": "property-extension",
                "ledger_object": kind.name,
                "ledger_id": ledger_id,
                "rests_on": rests_on(facts),
                **extension,
            }
        },
    }
    return Version(made, marking)


@dataclass
class Lineage:
    """One object's events as one reader sees them, giving the versions it gets (rule 3)."""

    kind: ObjectKind
    facts: list[Fact] = field(default_factory=list)
    first: Fact | None = None
    revoked: bool = False

    def add(self, fact: Fact, context: Context) -> Version | None:
        """Take the reader's next event of the object; the version it makes, if any."""
        self.facts.append(fact)
        if self.first is None and fact.event_type in self.kind.creates:
            self.first = fact
        if self.first is None or self.revoked or not covers(fact.marking, self.first.marking):
            return None
        made = version(
            self.kind, [f for f in self.facts if covers(fact.marking, f.marking)], context
        )
        if made is not None and made.revoked:
            self.revoked = True
        return made
