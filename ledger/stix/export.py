"""The export: a STIX 2.1 bundle of everything a clearance sees, up to a position.

It reads the ledger through the store with the reader's clearance (row-level security
on), as the projections' folds do, so it is a function of the visible events alone:
need-to-know holds by construction. Two passes in position order, memory bounded by
what must be held, not by the ledger:

1. the object each visible event is about, as a 64-bit hash per event (8 bytes each),
   to find the objects that more than one event is about, and the last such event;
2. each event again, decoded: an object of one event (most of them) is written as soon
   as its event is read; the events of the others are held until their last one (and
   ``ledger.stix.versions`` decides which make a version: the newest only, unless every
   version is asked for). Marking definitions are written before the first object that
   names them; proof notes (with proofs) after every few thousand events proven.

The same ledger, clearance, position and options give the same bytes.
"""

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance, Marking, highest
from ledger.log.bundle import Bundle
from ledger.ports import LedgerStore
from ledger.stix.catalog import EXPORTED, KIND_OF_EVENT, object_key
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.ids import EXTENSION
from ledger.stix.markings import refs_and_definitions
from ledger.stix.proofs import PROOF_EVENTS, proof_note
from ledger.stix.statics import statics
from ledger.stix.versions import Lineage, ObjectKind, Version
from ledger.stix.writer import BundleWriter

Prover = Callable[[list[int]], Bundle]
"""Inclusion proofs of these positions, all against one signed checkpoint."""
Progress = Callable[[int, int], None]
"""Told (events read, events to read) as the export goes."""

PROGRESS_EVERY = 2_000


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the events ``clearance`` sees up to ``position``."""

    position: int
    clearance: Clearance
    all_versions: bool = False


@dataclass
class ExportStats:
    events: int = 0
    """Visible events of the exported types read."""
    objects: int = 0
    """Objects written, every one counted (static objects, markings, proofs)."""
    versions: int = 0
    """Versions of ledger objects among them."""


class _Held:
    """The objects several events are about, from their first event to their last: the
    reader's lineage of each, and the version it would write next (a version is written
    once the next one proves later, so versions of one record time, which ledgers before
    migration 0011 could give a batch, come out as one, the last)."""

    def __init__(self, every_version: bool) -> None:
        self.every_version = every_version
        self.open: dict[tuple[str, str], Lineage] = {}
        self.pending: dict[tuple[str, str], Version] = {}

    def add(
        self, key: tuple[str, str], kind: ObjectKind, fact: Fact, context: Context, final: int
    ) -> Iterator[Version]:
        lineage = self.open.get(key)
        if lineage is None:
            lineage = self.open[key] = Lineage(kind)
        made = lineage.add(fact, context)
        if made is not None:
            waiting = self.pending.get(key)
            later = waiting is not None and waiting.object["modified"] != made.object["modified"]
            if self.every_version and later and waiting is not None:
                yield waiting
            self.pending[key] = made
        if fact.position == final:
            del self.open[key]
            if key in self.pending:
                yield self.pending.pop(key)

    def rest(self) -> Iterator[Version]:
        """What is still held at the end: objects whose hash another object shares."""
        for key in list(self.open):
            if key in self.pending:
                yield self.pending.pop(key)
        self.open.clear()


@dataclass
class _Chunk:
    """Objects waiting for their proof note."""

    refs: list[str] = field(default_factory=list)
    positions: set[int] = field(default_factory=set)
    markings: list[Marking] = field(default_factory=list)


class StixExport:
    """One export; iterate it for the bundle's bytes (``prepare`` runs the first pass,
    so a server can fail before it starts to answer)."""

    def __init__(
        self,
        ledger: LedgerStore,
        request: ExportRequest,
        context: Context,
        *,
        prover: Prover | None = None,
        progress: Progress | None = None,
        proof_events: int = PROOF_EVENTS,
    ) -> None:
        self.ledger = ledger
        self.request = request
        self.context = context
        self.prover = prover
        self.progress = progress
        self.proof_events = proof_events
        """Most events one proof note proves."""
        self.stats = ExportStats()
        self._last: dict[int, int] | None = None
        self._total = 0
        self.index: tuple[array[int], array[int]] = (array("q"), array("q"))
        """After ``prepare``: the hash of the object each visible event is about, and its
        position (what a TAXII collection keeps to find an object's events again)."""
        self._written: set[str] = set()
        self._chunk = _Chunk()

    def _read(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        return self.ledger.read_records(
            until=self.request.position, types=EXPORTED, clearance=self.request.clearance
        )

    def prepare(self) -> None:
        """Pass 1: the objects several visible events are about, each with its last one."""
        if self._last is not None:
            return
        keys, positions = array("q"), array("q")
        for position, event_type, record in self._read():
            keys.append(hash(object_key(event_type, record)))
            positions.append(position)
        ordered = sorted(keys)
        repeated = {ordered[i] for i in range(1, len(ordered)) if ordered[i] == ordered[i - 1]}
        del ordered
        last: dict[int, int] = {}
        for key, position in zip(keys, positions, strict=True):
            if key in repeated:
                last[key] = position
        self._last, self._total = last, len(keys)
        self.index = (keys, positions)

    def objects(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every object of the bundle but the proof notes, in the bundle's order, each
        with the ledger position that settled it: a version's is its event's (its
        ``modified`` is that event's record time), a marking definition's that of the
        first version naming it, the static objects' 0 (they have no event)."""
        self.prepare()
        assert self._last is not None
        self._written = set()
        for obj in statics(self.context):
            self._written.add(obj["id"])
            yield 0, obj
        for version in self._versions(self._last):
            position = version.object["extensions"][EXTENSION]["rests_on"][-1]["position"]
            for definition in self._definitions(version.marking):
                yield position, definition
            yield position, version.object
            self.stats.versions += 1

    def __iter__(self) -> Iterator[bytes]:
        writer = BundleWriter()
        self._chunk = _Chunk()
        yield writer.start()
        for _, obj in self.objects():
            yield writer.add(obj)
            if self.prover is not None:
                yield from self._prove_later(writer, obj)
        if self._chunk.refs:
            yield from self._prove(writer)
        self.stats.objects = writer.count
        yield writer.end()

    def chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The bundle's bytes in pieces of about ``size`` bytes (a server hands each to
        the network in one go, not one object at a time)."""
        buffer: list[bytes] = []
        held = 0
        for piece in self:
            buffer.append(piece)
            held += len(piece)
            if held >= size:
                yield b"".join(buffer)
                buffer, held = [], 0
        if buffer:
            yield b"".join(buffer)

    def _versions(self, last: dict[int, int]) -> Iterator[Version]:
        """Pass 2: the versions to write, in the order they are settled."""
        codec, context = self.ledger.codec, self.context
        held = _Held(self.request.all_versions)
        rows = self.ledger.read_rows(
            until=self.request.position, types=EXPORTED, clearance=self.request.clearance
        )
        for count, row in enumerate(rows, start=1):
            record = codec.fold_record(bytes(row["payload"]))
            fact = Fact.of(row["position"], row["recorded_at"], row["event_type"], record)
            kind = KIND_OF_EVENT[fact.event_type]
            key = (kind.name, str(record[kind.key]))
            final = last.get(hash(key))
            if final is None:  # the only event about its object
                made = Lineage(kind).add(fact, context)
                if made is not None:
                    yield made
            else:
                yield from held.add(key, kind, fact, context, final)
            if self.progress is not None and count % PROGRESS_EVERY == 0:
                self.progress(count, self._total)
            self.stats.events = count
        yield from held.rest()
        if self.progress is not None:
            self.progress(self.stats.events, self._total)

    def _definitions(self, marking: Marking) -> Iterator[dict[str, Any]]:
        """The definitions of the markings an object names, before their first use."""
        for id, make in refs_and_definitions(self.context, marking):
            if id not in self._written:
                self._written.add(id)
                yield make()

    def _prove_later(self, writer: BundleWriter, obj: dict[str, Any]) -> Iterator[bytes]:
        """Add an object to the proof note to come (and write the note when it is full)."""
        rests = _rests_on(obj)
        if not rests:
            return
        most = self.proof_events
        for start in range(0, len(rests), most):
            piece = rests[start : start + most]
            if self._chunk.refs and len(self._chunk.positions | {p for p, _ in piece}) > most:
                yield from self._prove(writer)
            self._chunk.refs.append(obj["id"])
            self._chunk.positions.update(p for p, _ in piece)
            self._chunk.markings.extend(m for _, m in piece)
            if len(self._chunk.positions) >= most:
                yield from self._prove(writer)

    def _prove(self, writer: BundleWriter) -> Iterator[bytes]:
        assert self.prover is not None
        chunk, self._chunk = self._chunk, _Chunk()
        marking = highest(chunk.markings)
        note = proof_note(self.context, self.prover(sorted(chunk.positions)), chunk.refs, marking)
        for definition in self._definitions(marking):
            yield writer.add(definition)
        yield writer.add(note)


def _rests_on(obj: dict[str, Any]) -> list[tuple[int, Marking]]:
    """(position, marking) of each event an object rests on, as its extension says."""
    return [
        (e["position"], Marking(Classification(e["level"]), frozenset(e.get("compartments", ()))))
        for e in obj.get("extensions", {}).get(EXTENSION, {}).get("rests_on", [])
    ]
