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
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class _Read:
    """An object of the export as soon as it is read: what placing it needs, and its
    bytes (the object itself is not kept: a collection holds bytes, not dicts)."""

    position: int
    id: str
    type: str
    version: str
    spec_version: str
    marking_refs: tuple[str, ...]
    data: bytes

    @classmethod
    def of(cls, position: int, obj: dict[str, Any]) -> "_Read":
        refs = list(obj.get("object_marking_refs", ()))
        refs += [g["marking_ref"] for g in obj.get("granular_markings", ()) if "marking_ref" in g]
        return cls(
            position,
            obj["id"],
            obj["type"],
            str(obj.get("modified", obj.get("created", ""))),
            str(obj.get("spec_version", "2.0")),
            tuple(refs),
            # a copy of exactly its size: orjson's bytes keep the buffer they were
            # written in (several KiB each), five times what a collection holds
            bytes(memoryview(encode(obj))),
        )

    @property
    def base(self) -> int:
        moment = parse_stamp(self.version)
        assert moment is not None, f"{self.id} has no STIX timestamp"
        return micros(moment)


def ordered(objects: Iterable[tuple[int, dict[str, Any]]]) -> list[tuple[int, _Read]]:
    """The export's objects (each with the position that settled it) in collection
    order, each with the record time its ``date_added`` starts from (module docstring)."""
    statics: list[_Read] = []
    definitions: dict[str, _Read] = {}
    versions: list[_Read] = []
    for position, obj in objects:
        found = _Read.of(position, obj)
        if found.type == "marking-definition":
            definitions.setdefault(found.id, found)
        elif position == 0:
            statics.append(found)
        else:
            versions.append(found)
    versions.sort(key=lambda v: v.position)
    placed: list[tuple[int, _Read]] = []
    for version in versions:
        base = version.base
        if not placed:
            placed.extend((base, static) for static in statics)
        for ref in version.marking_refs:
            definition = definitions.pop(ref, None)
            if definition is not None:
                placed.append((base, definition))
        placed.append((base, version))
    return placed


def build(objects: Iterable[tuple[int, dict[str, Any]]]) -> Collection:
    """The collection of the export's objects (``StixExport.objects()``)."""
    placed = ordered(objects)
    first_at: dict[str, int] = {}
    last_at: dict[str, int] = {}
    for index, (_, found) in enumerate(placed):
        first_at.setdefault(found.id, index)
        last_at[found.id] = index
    entries: list[Entry] = []
    previous: int | None = None
    for index, (base, found) in enumerate(placed):
        added = base if previous is None or base > previous else previous + 1
        previous = added
        entries.append(
            Entry(
                added,
                found.id,
                found.type,
                found.version,
                found.spec_version,
                first_at[found.id] == index,
                last_at[found.id] == index,
                found.data,
            )
        )
    return Collection(entries)


def read(ledger: LedgerStore, clearance: Clearance, position: int, context: Context) -> Collection:
    """The collection of everything ``clearance`` sees up to ``position``."""
    export = StixExport(ledger, ExportRequest(position, clearance, all_versions=True), context)
    return build(export.objects())
