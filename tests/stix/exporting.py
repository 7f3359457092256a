"""Helpers of the STIX tests: exports of a ledger, read back as JSON."""

import json
from typing import Any

from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.ports import LedgerStore
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, Prover, StixExport
from ledger.stix.ids import EXTENSION

LOG = "test.example/log"
CONTEXT = Context(LOG)


def export_bytes(
    ledger: LedgerStore,
    clearance: Clearance = OPERATOR,
    *,
    all_versions: bool = False,
    position: int | None = None,
    prover: Prover | None = None,
) -> bytes:
    at = ledger.head().position if position is None else position
    run = StixExport(ledger, ExportRequest(at, clearance, all_versions), CONTEXT, prover=prover)
    return b"".join(run)


def objects(data: bytes) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(data)["objects"]
    return found


def ours(obj: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = obj.get("extensions", {}).get(EXTENSION, {})
    return found


def of_ledger(data: bytes, ledger_object: str) -> list[dict[str, Any]]:
    """The objects standing for one kind of ledger object (``claim``, ``source``...)."""
    return [o for o in objects(data) if ours(o).get("ledger_object") == ledger_object]


def by_ledger_id(data: bytes, ledger_id: str) -> list[dict[str, Any]]:
    return [o for o in objects(data) if ours(o).get("ledger_id") == ledger_id]


def appended(ledger: LedgerStore, *events: Event) -> list[int]:
    """Append the events one by one (each its own batch); their positions."""
    return [ledger.append([e])[0].position for e in events]


def rendered(*events: Event) -> bytes:
    """A bundle of the events' newest versions, made without a database (positions from
    1, record times a second apart): for the mapping's unit and fuzz tests."""
    from datetime import UTC, datetime, timedelta

    from ledger.codec.single_object import AvroCodec
    from ledger.stix.catalog import KIND_OF_EVENT
    from ledger.stix.facts import Fact
    from ledger.stix.markings import definitions_of
    from ledger.stix.statics import statics
    from ledger.stix.versions import Lineage, Version
    from ledger.stix.writer import BundleWriter

    codec = AvroCodec()
    lineages: dict[tuple[str, str], Lineage] = {}
    newest: dict[tuple[str, str], Version] = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for position, event in enumerate(events, start=1):
        record = codec.fold_record(codec.encode(event))
        kind = KIND_OF_EVENT[event.event_type()]
        key = (kind.name, str(record[kind.key]))
        fact = Fact.of(position, start + timedelta(seconds=position), event.event_type(), record)
        made = lineages.setdefault(key, Lineage(kind)).add(fact, CONTEXT)
        if made is not None:
            newest[key] = made
    writer = BundleWriter()
    pieces, defined = [writer.start()], set()
    for obj in statics(CONTEXT):
        pieces.append(writer.add(obj))
    for version in newest.values():
        for definition in definitions_of(CONTEXT, version.marking):
            if definition["id"] not in defined:
                defined.add(definition["id"])
                pieces.append(writer.add(definition))
        pieces.append(writer.add(version.object))
    return b"".join([*pieces, writer.end()])
