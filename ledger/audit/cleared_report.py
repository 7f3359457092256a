"""A verify report as a reader of some clearance may see it (the workbench's audit page).

A finding about an event the reader does not see shows only as a count: not its
position, check or text (its text may quote the event: a stream id, a marking). A
finding tied to no event shows when its check speaks of the ledger as a whole (schema
registry entries, Kafka offsets, checkpoints); any other (a projection's current row)
may rest on hidden events and is counted too. Each check's status is what the findings
shown say; the verdict stays the whole report's, so a problem is never hidden, only
where it is.
"""

from dataclasses import dataclass, field
from typing import Any

LEDGER_WIDE = frozenset({"schema_registry", "kafka_offsets", "checkpoint"})
"""Checks whose position-less findings speak of no event."""

FAIL_CLOSED = frozenset({"markings"})
"""Checks whose findings quote a marking the payload claims: shown to the operator only."""


@dataclass(frozen=True)
class ClearedReport:
    ok: bool
    range_from: int
    range_to: int
    events: int
    seconds: float
    checks: list[dict[str, str]]
    findings: list[dict[str, Any]]
    hidden: int
    """Kept findings about events (or derived rows) the reader may not see."""
    not_kept: int = 0
    """Findings beyond those a report keeps in full (their positions are unknown)."""
    first_problem: str | None = field(default=None)


def _shows(finding: dict[str, Any], seen: set[int], operator: bool) -> bool:
    if operator:
        return True
    if finding["check"] in FAIL_CLOSED:
        return False
    position = finding["position"]
    if position is None:
        return finding["check"] in LEDGER_WIDE
    return position in seen


def cleared(report: dict[str, Any], seen: set[int], *, operator: bool) -> ClearedReport:
    """``report`` (``VerifyReport.as_json()``) for a reader who sees the events at
    ``seen`` (the operator sees all)."""
    shown = [f for f in report["findings"] if _shows(f, seen, operator)]
    failed = {f["check"] for f in shown}
    checks = []
    for check in report["checks"]:
        status = check["status"]
        if status == "failed" and check["name"] not in failed:
            status = "passed"  # as far as this clearance can tell; the verdict says more
        checks.append({"name": check["name"], "status": status, "detail": check["detail"]})
    located = [f for f in shown if f["position"] is not None]
    first = min(located, key=lambda f: int(f["position"])) if located else None
    first = first or (shown[0] if shown else None)
    where = f"position {first['position']}" if first and first["position"] is not None else "ledger"
    return ClearedReport(
        ok=bool(report["ok"]),
        range_from=int(report["range"]["from"]),
        range_to=int(report["range"]["to"]),
        events=int(report["events"]),
        seconds=float(report["seconds"]),
        checks=checks,
        findings=shown,
        hidden=len(report["findings"]) - len(shown),
        not_kept=int(report["findings_total"]) - len(report["findings"]),
        first_problem=f"{where}: {first['check']}: {first['problem']}" if first else None,
    )
