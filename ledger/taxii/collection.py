"""A collection: every STIX object a clearance sees at a ledger position, each version
once, in ``date_added`` order.

The objects are the STIX export's (``ledger.stix.export``, every version), read with the
clearance's row-level security, so a collection is a function of the visible events
alone. The export's order depends on the events to come (a version is written when the
next one is made), so the versions are put in the order of the event that made each
(its position); a marking definition comes just before the first version that names it,
and the static objects (identities, extension definition) just before the first version.

``date_added`` rule: a version's is the record time of its event, in microseconds;
where that is not later than the previous object's (a batch shares one record time, and
definitions and static objects share their version's), it is the previous object's plus
one microsecond. So ``date_added`` is unique and strictly increasing in collection order,
is a version's record time wherever record times are apart, and depends only on the
visible objects before it: it never changes as the ledger grows, and it is the same on a
ledger holding only the visible events.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.times import parse_stamp
from ledger.stix.writer import encode
from ledger.taxii.dates import micros


@dataclass(frozen=True, slots=True)
class Entry:
    """One version of one object, as a collection holds it."""

    added: int
    """``date_added``, microseconds since the epoch (unique in the collection)."""
    id: str
    type: str
    version: str
    """Its ``modified`` (``created`` for objects that have no ``modified``)."""
    spec_version: str
    first: bool
    """The earliest version of its object in the collection."""
    last: bool
    """The newest."""
    data: bytes
    """The object's JSON, as the STIX export writes it."""


class Collection:
    """The entries of one collection at one position, with lookups for paging."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.added = [e.added for e in entries]
        self.by_id: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            self.by_id.setdefault(entry.id, []).append(index)

    def __len__(self) -> int:
        return len(self.entries)

    def after(self, added: int | None) -> int:
        """The index of the first entry added after ``added`` (0 for None)."""
        return 0 if added is None else bisect_right(self.added, added)

    @property
    def last_added(self) -> int | None:
        return self.added[-1] if self.added else None


def _version(obj: dict[str, Any]) -> str:
    return str(obj.get("modified", obj.get("created", "")))


def _base(obj: dict[str, Any]) -> int:
    moment = parse_stamp(_version(obj))
    assert moment is not None, f"{obj.get('id')} has no STIX timestamp"
    return micros(moment)


def _marking_refs(obj: dict[str, Any]) -> Iterator[str]:
    yield from obj.get("object_marking_refs", ())
    for granular in obj.get("granular_markings", ()):
        if "marking_ref" in granular:
            yield granular["marking_ref"]


def ordered(objects: Iterable[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """The export's objects (each with the position that settled it) in collection
    order, each with the record time its ``date_added`` starts from (module docstring)."""
    statics: list[dict[str, Any]] = []
    definitions: dict[str, dict[str, Any]] = {}
    versions: list[tuple[int, dict[str, Any]]] = []
    for position, obj in objects:
        if obj["type"] == "marking-definition":
            definitions.setdefault(obj["id"], obj)
        elif position == 0:
            statics.append(obj)
        else:
            versions.append((position, obj))
    versions.sort(key=lambda pair: pair[0])
    found: list[tuple[int, dict[str, Any]]] = []
    for _, obj in versions:
        base = _base(obj)
        if not found:
            found.extend((base, static) for static in statics)
        for ref in _marking_refs(obj):
            definition = definitions.pop(ref, None)
            if definition is not None:
                found.append((base, definition))
        found.append((base, obj))
    return found


def build(objects: Iterable[tuple[int, dict[str, Any]]]) -> Collection:
    """The collection of the export's objects (``StixExport.objects()``)."""
    placed = ordered(objects)
    first_at: dict[str, int] = {}
    last_at: dict[str, int] = {}
    for index, (_, obj) in enumerate(placed):
        first_at.setdefault(obj["id"], index)
        last_at[obj["id"]] = index
    entries: list[Entry] = []
    previous: int | None = None
    for index, (base, obj) in enumerate(placed):
        added = base if previous is None or base > previous else previous + 1
        previous = added
        entries.append(
            Entry(
                added,
                obj["id"],
                obj["type"],
                _version(obj),
                str(obj.get("spec_version", "2.0")),
                first_at[obj["id"]] == index,
                last_at[obj["id"]] == index,
                encode(obj),
            )
        )
    return Collection(entries)


def read(ledger: LedgerStore, clearance: Clearance, position: int, context: Context) -> Collection:
    """The collection of everything ``clearance`` sees up to ``position``."""
    export = StixExport(ledger, ExportRequest(position, clearance, all_versions=True), context)
    return build(export.objects())
