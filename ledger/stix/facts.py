"""A ledger event as the STIX mapping reads it: position, record time, marking and the
decoded record (``AvroCodec.fold_record``: uuids as text, times as aware datetimes)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.domain.enums import Classification
from ledger.domain.marking import Marking

_LEVELS = {level.value: level for level in Classification}


def marking_of(record: dict[str, Any]) -> Marking:
    """The marking an event's envelope states; a level this code does not know is
    UNKNOWN (it fails closed)."""
    envelope = record["envelope"]
    level = _LEVELS.get(envelope.get("classification"), Classification.UNKNOWN)
    return Marking(level, frozenset(envelope.get("compartments") or ()))


@dataclass(frozen=True, slots=True)
class Fact:
    """One event of the ledger, read for the mapping."""

    position: int
    recorded_at: datetime
    event_type: str
    marking: Marking
    record: dict[str, Any]

    @classmethod
    def of(
        cls, position: int, recorded_at: datetime, event_type: str, record: dict[str, Any]
    ) -> "Fact":
        return cls(position, recorded_at, event_type, marking_of(record), record)


def covers(upper: Marking, lower: Marking) -> bool:
    """Whether every reader who sees ``upper`` sees ``lower`` (its level is at least
    ``lower``'s and it holds all of ``lower``'s compartments)."""
    return lower.rank <= upper.rank and lower.compartments <= upper.compartments
