"""World time (a ledger ``TimeSpan``) in our extension and in relationship times."""

from datetime import datetime
from typing import Any

from ledger.stix.times import stamp


def span(record: dict[str, Any]) -> dict[str, Any]:
    """A time span as our extension holds it: start, end (when closed), precision."""
    found: dict[str, Any] = {"start": stamp(record["start"]), "precision": record["precision"]}
    if record.get("end") is not None:
        found["end"] = stamp(record["end"])
    return found


def relationship_times(record: dict[str, Any]) -> dict[str, Any]:
    """``start_time`` and, when the span ends strictly later, ``stop_time`` (STIX wants
    stop after start; an empty span keeps its end in the extension only)."""
    start: datetime = record["start"]
    end: datetime | None = record.get("end")
    times = {"start_time": stamp(start)}
    if end is not None and end > start:
        times["stop_time"] = stamp(end)
    return times
