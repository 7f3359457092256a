"""Reading a bundle for import: what every kind of object's mapping needs while it
turns one STIX object into drafts of ledger events, and the refusals it collects.

A refusal is one sentence naming the object id and the property; any refusal refuses
the whole bundle (nothing of it is appended)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.enums import Classification
from ledger.domain.marking import Marking, highest
from ledger.domain.references import Kind
from ledger.intake.limits import shown
from ledger.stix.ids import EXTENSION, is_stix_id
from ledger.stix.markings import classification
from ledger.stix.times import parse_stamp, stamp

_LEVELS = {level.value: level for level in Classification}

OURS = f"extensions.{EXTENSION}"
"""The path of our extension's properties in an object, for refusals."""

KIND_OF_OBJECT = {
    "source": Kind.SOURCE,
    "actor": Kind.ACTOR,
    "place": Kind.PLACE,
    "document": Kind.DOCUMENT,
    "claim": Kind.CLAIM,
}
"""The ledger objects other events name, by their ``ledger_object`` value."""

_PREFIX = {
    Kind.SOURCE: "source",
    Kind.ACTOR: "actor",
    Kind.PLACE: "place",
    Kind.DOCUMENT: "doc",
    Kind.CLAIM: "claim",
}


def foreign_id(kind: Kind | str, stix_id: str) -> str:
    """The ledger id a third party's object gets: its STIX id under the kind's prefix
    (``actor:threat-actor--…``), so the STIX id stays on every event naming it."""
    prefix = _PREFIX[kind] if isinstance(kind, Kind) else kind
    return f"{prefix}:{stix_id}"


@dataclass
class Draft:
    """An event the import will make: its type and fields (JSON form, no envelope)."""

    event_type: str
    fields: dict[str, Any]
    marking: Marking
    origin: str
    """Hashed into the event id with the content: the STIX id, and for our own objects
    the ledger position of the event it stands for."""
    properties: dict[str, str] = field(default_factory=dict)
    """The STIX property each event field was read from (for refusals)."""
    rank: tuple[int, int, int] = (0, 0, 0)
    """Where the event goes in the batch: ours in the order the exporting ledger had
    them (its positions), then a third party's, registrations before what names them."""


@dataclass
class NotMapped:
    """A STIX object the ledger has no event for, and why (one phrase)."""

    reason: str


class Reading:
    """One bundle being read: its objects, markings and the refusals found so far."""

    def __init__(self, objects: Mapping[str, dict[str, Any]], order: Mapping[str, int]) -> None:
        self.objects = objects
        """The newest version of every object, by id."""
        self.order = order
        """Each id's place in the bundle (its first appearance)."""
        self.definitions = {
            id: obj for id, obj in objects.items() if obj.get("type") == "marking-definition"
        }
        self.refusals: list[str] = []
        self.notes: list[str] = []
        self.mapped: set[tuple[Kind, str]] = set()
        """The ledger objects this bundle's objects mapped so far stand for."""
        self.held: set[tuple[Kind, str]] = set()
        """Those the ledger holds, of the ones the bundle names without holding them."""
        self.reports_of: dict[str, list[str]] = {}
        """For each object a report names: the ledger ids of the documents naming it."""
        self.documents: dict[str, str] = {}
        """The document of each claim mapped so far (ledger ids)."""

    def holds(self, ref: tuple[Kind, str]) -> bool:
        """Whether a ledger object is mapped from the bundle or held by the ledger."""
        return ref in self.mapped or ref in self.held

    def dropped(self, stix_id: Any, ref: tuple[Kind, str]) -> bool:
        """Whether a reference names an object of the bundle that was not mapped (so what
        names it cannot be either; one outside the bundle is for the ledger to hold)."""
        return stix_id in self.objects and not self.holds(ref)

    def refuse(self, obj: Mapping[str, Any], prop: str, why: str) -> None:
        self.refusals.append(f"object {obj.get('id')}, property {prop}: {why}")

    def rests_on(self, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The entries of one of our objects' ``rests_on`` (a refusal if it is no list)."""
        found = (self.ours(obj) or {}).get("rests_on")
        if not isinstance(found, list):
            self.refuse(obj, f"{OURS}.rests_on", "not a list of the events it rests on")
            return []
        return [e for e in found if isinstance(e, dict)]

    def ours(self, obj: Mapping[str, Any]) -> dict[str, Any] | None:
        """Our extension's properties, if the object carries them."""
        extensions = obj.get("extensions")
        found = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
        return found if isinstance(found, dict) else None

    def moment(self, obj: Mapping[str, Any], prop: str, value: Any) -> str | None:
        """A STIX timestamp as the ledger's JSON form; a refusal if it is not one."""
        parsed = parse_stamp(value)
        if parsed is None:
            self.refuse(
                obj, prop, f"{shown(value)} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"
            )
            return None
        return stamp(parsed)

    def marking(self, obj: Mapping[str, Any]) -> Marking:
        """The ledger marking of a whole object (``ledger.stix.markings`` rule 3); granular
        markings count as if they marked the whole object (fail closed)."""
        refs = list(obj.get("object_marking_refs") or [])
        for granular in obj.get("granular_markings") or []:
            if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
                refs.append(granular["marking_ref"])
        marking, unknown = classification((r for r in refs if isinstance(r, str)), self.definitions)
        for ref in unknown:
            self.notes.append(
                f"object {obj.get('id')}: marking {ref} is not defined in the bundle nor a "
                "standard TLP marking, so its events are marked UNKNOWN (the operator alone "
                "sees them)"
            )
        return marking

    def fact_marking(self, obj: Mapping[str, Any], position: Any, whole: Marking) -> Marking:
        """The marking of the event at ``position`` that one of our objects rests on (its
        ``rests_on`` entry); refused when the entry is missing or above the object's."""
        for entry in self.rests_on(obj):
            if entry.get("position") == position:
                found = Marking(
                    _LEVELS.get(str(entry.get("level")), Classification.UNKNOWN),
                    frozenset(strings(entry.get("compartments"))),
                )
                if highest([found, whole]) != whole:
                    self.refuse(
                        obj, f"{OURS}.rests_on", "an event it rests on is marked above the object"
                    )
                return found
        self.refuse(obj, f"{OURS}.rests_on", f"names no event at position {shown(position)}")
        return whole

    def ref(
        self, obj: Mapping[str, Any], prop: str, value: Any, kinds: Mapping[str, Kind]
    ) -> tuple[Kind, str] | None:
        """The ledger object a STIX reference names, when it is of one of ``kinds`` (STIX
        type to ledger kind); ids of other types give None. The object it names must be
        in the bundle, else the ledger must hold it (checked later, with the caller's
        lookup, against the events that name it)."""
        if not is_stix_id(value):
            self.refuse(obj, prop, f"{shown(value)} is not a STIX identifier")
            return None
        stix_type = value.partition("--")[0]
        target = self.objects.get(value)
        if target is not None:
            mine = self.ours(target)
            if mine is not None and mine.get("ledger_object") in KIND_OF_OBJECT:
                return KIND_OF_OBJECT[mine["ledger_object"]], str(mine.get("ledger_id"))
        kind = kinds.get(stix_type)
        return None if kind is None else (kind, foreign_id(kind, value))


def strings(value: Any) -> list[str]:
    """The texts of a list (nothing from anything else)."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def at(position: Any) -> int:
    """Batch order of an event that stood at ``position`` in the exporting ledger."""
    return position if isinstance(position, int) and not isinstance(position, bool) else 0


def last_of(reading: Reading, obj: Mapping[str, Any], event_type: str) -> int | None:
    """The position of the last ``event_type`` event one of our objects rests on (the
    one whose content it shows); a refusal when there is none."""
    found = [e.get("position") for e in reading.rests_on(obj) if e.get("event_type") == event_type]
    if not found or not isinstance(found[-1], int):
        reading.refuse(obj, f"{OURS}.rests_on", f"names no {event_type} event")
        return None
    return int(found[-1])


def ours_draft(
    reading: Reading,
    obj: Mapping[str, Any],
    event_type: str,
    fields: dict[str, Any],
    properties: dict[str, str],
    rank: int,
    whole: Marking,
    position: int | None = None,
) -> list[Draft]:
    """The draft of the event of ``event_type`` one of our objects shows (the last it
    rests on, or the one at ``position``), marked as that event was."""
    if position is None:
        position = last_of(reading, obj, event_type)
        if position is None:
            return []
    return [
        Draft(
            event_type,
            fields,
            reading.fact_marking(obj, position, whole),
            f"{obj.get('id')}@{position}",
            properties,
            (0, at(position), rank),
        )
    ]


def foreign_draft(
    obj: Mapping[str, Any],
    event_type: str,
    fields: dict[str, Any],
    properties: dict[str, str],
    rank: int,
    whole: Marking,
    reading: Reading,
) -> list[Draft]:
    """The draft of the event a third party's object stands for."""
    order = reading.order.get(str(obj.get("id")), 0)
    return [Draft(event_type, fields, whole, str(obj.get("id")), properties, (1, rank, order))]
