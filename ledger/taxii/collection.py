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

import threading
from array import array
from bisect import bisect_right
from collections.abc import Container, Iterable
from dataclasses import dataclass, replace
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
    position: int
    """The position of the event that made this version (a marking definition's: that of
    the first version naming it; the static objects': 0), never lower than the entry
    before's (what ``GET /stream?format=stix`` resumes from)."""


Index = tuple["array[int]", "array[int]"]
"""The hash of the object each visible event is about, and the event's position."""


class Collection:
    """The entries of one collection at one position, with lookups for paging, and the
    index of its events' objects that lets it grow (``ledger.taxii.growth``)."""

    def __init__(self, entries: list[Entry], position: int = 0, index: Index | None = None) -> None:
        self.entries = entries
        self.position = position
        self.added = [e.added for e in entries]
        self.by_id: dict[str, list[int]] = {}
        for at, entry in enumerate(entries):
            self.by_id.setdefault(entry.id, []).append(at)
        self._index = index
        self._lock = threading.Lock()

    def take_index(self) -> Index | None:
        """The index, once: whoever grows this collection owns it from then on (a
        collection grows at most once; another read of it reads the ledger again)."""
        with self._lock:
            index, self._index = self._index, None
            return index

    def grown(self, entries: list[Entry], position: int, index: Index) -> "Collection":
        """This collection with ``entries`` added after its own (each ``last`` of an
        object that has a newer one among them made false), at ``position``."""
        newer = {e.id for e in entries}
        found = list(self.entries)
        for id in newer:
            for at in self.by_id.get(id, ()):
                if found[at].last:
                    found[at] = replace(found[at], last=False)
        grown = Collection.__new__(Collection)
        grown.entries = found + entries
        grown.position = position
        grown.added = self.added + [e.added for e in entries]
        grown.by_id = dict(self.by_id)  # the lists of the ids not grown are shared
        for id in newer:
            grown.by_id[id] = list(self.by_id.get(id, ()))
        for at, entry in enumerate(entries, start=len(found)):
            grown.by_id[entry.id].append(at)
        grown._index = index
        grown._lock = threading.Lock()
        return grown

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


def placed(
    versions: list[_Read], statics: list[_Read], definitions: dict[str, _Read]
) -> list[tuple[int, _Read]]:
    """Versions in the order of their events, each definition just before the first
    version naming it, the statics before the first version; each with the record time
    its ``date_added`` starts from (module docstring)."""
    versions.sort(key=lambda v: v.position)
    found: list[tuple[int, _Read]] = []
    for version in versions:
        base = version.base
        if not found:
            found.extend((base, static) for static in statics)
        for ref in version.marking_refs:
            definition = definitions.pop(ref, None)
            if definition is not None:
                found.append((base, replace(definition, position=version.position)))
        found.append((base, version))
    return found


def entries(
    placing: list[tuple[int, _Read]], previous: int | None = None, known: Container[str] = ()
) -> list[Entry]:
    """The entries of placed objects, after an entry added at ``previous`` (if any) in
    a collection already holding the ids in ``known``."""
    first_at: dict[str, int] = {}
    last_at: dict[str, int] = {}
    for at, (_, found) in enumerate(placing):
        first_at.setdefault(found.id, at)
        last_at[found.id] = at
    made: list[Entry] = []
    for at, (base, found) in enumerate(placing):
        added = base if previous is None or base > previous else previous + 1
        previous = added
        made.append(
            Entry(
                added,
                found.id,
                found.type,
                found.version,
                found.spec_version,
                first_at[found.id] == at and found.id not in known,
                last_at[found.id] == at,
                found.data,
                found.position,
            )
        )
    return made


def build(objects: Iterable[tuple[int, dict[str, Any]]]) -> Collection:
    """The collection of the export's objects (``StixExport.objects()``)."""
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
    return Collection(entries(placed(versions, statics, definitions)))


def read(ledger: LedgerStore, clearance: Clearance, position: int, context: Context) -> Collection:
    """The collection of everything ``clearance`` sees up to ``position``."""
    export = StixExport(ledger, ExportRequest(position, clearance, all_versions=True), context)
    collection = build(export.objects())
    collection.position = position
    collection._index = export.index
    return collection
