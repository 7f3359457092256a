"""What an integrity check finds: findings with the position they concern, per-check
outcomes, and the whole report that ``verify`` and ``import-check`` return."""

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "skipped"]

MAX_FINDINGS = 100
"""Findings kept in full; beyond this only their number is counted (memory stays flat)."""


@dataclass(frozen=True)
class Finding:
    """One thing wrong: which check saw it, at which ledger position (None when the
    problem has no position, e.g. a Kafka offset never archived), and what is wrong."""

    check: str
    position: int | None
    problem: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "ledger"
        return f"{where}: {self.check}: {self.problem}"


@dataclass
class CheckOutcome:
    """The result of one named check over the verified range."""

    name: str
    status: Status
    detail: str = ""


@dataclass
class Findings:
    """Findings as they are found, keeping the first ``MAX_FINDINGS`` and the earliest."""

    kept: list[Finding] = field(default_factory=list)
    total: int = 0
    first_bad_position: int | None = None
    by_check: dict[str, int] = field(default_factory=dict)
    positions: set[int] = field(default_factory=set)
    """Every position any finding named (later checks leave these out)."""

    def add(self, check: str, position: int | None, problem: str) -> None:
        self.total += 1
        self.by_check[check] = self.by_check.get(check, 0) + 1
        if position is not None:
            self.positions.add(position)
        if position is not None and (
            self.first_bad_position is None or position < self.first_bad_position
        ):
            self.first_bad_position = position
        if len(self.kept) < MAX_FINDINGS:
            self.kept.append(Finding(check, position, problem))

    def absorb(self, other: "Findings") -> None:
        """Add ``other``'s findings after these (a later range's, in a split verify)."""
        self.total += other.total
        for check, count in other.by_check.items():
            self.by_check[check] = self.by_check.get(check, 0) + count
        self.positions |= other.positions
        if other.first_bad_position is not None and (
            self.first_bad_position is None or other.first_bad_position < self.first_bad_position
        ):
            self.first_bad_position = other.first_bad_position
        self.kept.extend(other.kept[: max(0, MAX_FINDINGS - len(self.kept))])

    def count(self, *checks: str) -> int:
        """How many findings these checks made."""
        return sum(self.by_check.get(check, 0) for check in checks)


@dataclass
class VerifyReport:
    """Everything a verification established, for people (``render``) and machines."""

    source: str
    first: int
    last: int
    events: int
    last_hash: bytes | None
    checks: list[CheckOutcome]
    findings: Findings
    seconds: float = 0.0
    anchor: str | None = None

    @property
    def ok(self) -> bool:
        return self.findings.total == 0

    @property
    def first_bad_position(self) -> int | None:
        return self.findings.first_bad_position

    def first_finding(self) -> Finding | None:
        """The finding at the first bad position (or the first found if none has one)."""
        if not self.findings.kept:
            return None
        at = self.first_bad_position
        located = [f for f in self.findings.kept if f.position is not None and f.position == at]
        return located[0] if located else self.findings.kept[0]

    def as_json(self) -> dict[str, Any]:
        first = self.first_finding()
        return {
            "ok": self.ok,
            "source": self.source,
            "range": {"from": self.first, "to": self.last},
            "events": self.events,
            "last_hash": self.last_hash.hex() if self.last_hash is not None else None,
            "anchor": self.anchor,
            "first_bad_position": self.first_bad_position,
            "first_problem": str(first) if first else None,
            "checks": [
                {"name": c.name, "status": c.status, "detail": c.detail} for c in self.checks
            ],
            "findings": [
                {"check": f.check, "position": f.position, "problem": f.problem}
                for f in self.findings.kept
            ],
            "findings_total": self.findings.total,
            "seconds": round(self.seconds, 3),
        }
