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
