"""What an import did with each STIX type: how many objects it mapped to events, how
many the ledger already held (every event they stand for is there), and how many it did
not map, each with the reason."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TypeReport:
    mapped: int = 0
    known: int = 0
    not_mapped: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"mapped": self.mapped, "known": self.known, "not_mapped": dict(self.not_mapped)}


@dataclass(frozen=True)
class ObjectOutcome:
    """One object's fate: ``mapped`` (it stands for events the ledger lacked),
    ``known`` (the ledger holds every event it stands for) or not mapped, with the
    reason (``mapped`` and ``known`` both false)."""

    stix_type: str
    mapped: bool = False
    known: bool = False
    reason: str | None = None


@dataclass
class ImportReport:
    types: dict[str, TypeReport] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What the import did that its caller should know (markings it could not read)."""
    events: int = 0
    """Events the import stands for that the ledger does not hold yet."""
    objects: dict[str, "ObjectOutcome"] = field(default_factory=dict)
    """What became of each object, by its STIX id (for answers per object: TAXII's)."""

    def of(self, stix_type: str) -> TypeReport:
        return self.types.setdefault(stix_type, TypeReport())

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "types": {name: self.types[name].to_json() for name in sorted(self.types)},
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """One line per type, then the notes: what the CLI prints."""
        found = []
        for name in sorted(self.types):
            entry = self.types[name]
            parts = [f"{entry.mapped} mapped", f"{entry.known} already held"]
            parts += [f"{n} not mapped: {reason}" for reason, n in sorted(entry.not_mapped.items())]
            found.append(f"{name}: {'; '.join(parts)}")
        return found + self.notes
