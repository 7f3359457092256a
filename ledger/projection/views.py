"""The answers the read side gives: one view type per answer, shared by the CLI, the
HTTP API, the audit tools and the Dagster checks."""

from dataclasses import dataclass, field
from datetime import datetime

from ledger.domain.claim_status import ClaimStatus
from ledger.domain.enums import Reliability
from ledger.domain.posture import STALE_AFTER_DAYS, PostureRow, PostureStatus, age_days, is_stale


@dataclass(frozen=True)
class PostureView:
    """One posture row: the winning report's figures and every position behind them."""

    actor_id: str
    place_key: str
    place: str
    """The place's registered name when the read names it (else as the report wrote it)."""
    status: PostureStatus
    activity: str
    strength: str | None
    low: int | None
    best: int | None
    high: int | None
    valid_from: datetime
    valid_to: datetime | None
    grade: str
    report_position: int
    supporting: tuple[int, ...]
    contradicting: tuple[int, ...]
    positions: tuple[int, ...]
    effective_to: datetime | None = None
    """Where the winner's span ends once later reports are counted (None: open)."""
    claim_id: str | None = None
    """The claim the winning report rests on."""
    age_days: int = 0
    """The world time asked about minus the winner's start, in days."""
    stale: bool = False
    """Older than the query's horizon (``stale_after``)."""
    actor: str | None = None
    """The actor's registered name (None when not registered)."""
    latitude: float | None = None
    longitude: float | None = None
    place_reported: str | None = None
    """The winning report's wording of the place, where it differs from ``place``."""

    @classmethod
    def of(
        cls, row: PostureRow, at: datetime, stale_after: int = STALE_AFTER_DAYS
    ) -> "PostureView":
        """The view of ``row`` asked about at world time ``at`` (its age is counted to it)."""
        w = row.winner
        age = age_days(row, at)
        return cls(
            actor_id=row.actor_id,
            place_key=row.place_key,
            place=row.place_name,
            status=row.status,
            activity=w.activity.value,
            strength=w.strength_text,
            low=w.low,
            best=w.best,
            high=w.high,
            valid_from=w.valid_from,
            valid_to=w.valid_to,
            grade=w.grade,
            report_position=w.position,
            supporting=tuple(row.supporting),
            contradicting=tuple(row.contradicting),
            positions=tuple(row.positions),
            effective_to=row.effective_to,
            claim_id=w.claim_id,
            age_days=age,
            stale=is_stale(age, stale_after),
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.actor_id, self.place_key


@dataclass(frozen=True)
class TimelineStep:
    """The posture rows as they stood right after one report."""

    position: int
    rows: tuple[PostureView, ...]


@dataclass(frozen=True)
class ClaimView:
    """One claim as first asserted, with its status as known at the position read."""

    claim_id: str
    position: int
    document_id: str
    kind: str
    statement: str
    valid_from: datetime
    valid_to: datetime | None
    credibility: str
    status: ClaimStatus
    origin: str | None


@dataclass(frozen=True)
class Hop:
    """One hop of reported speech, with the source's grade at the position read."""

    position: int
    source_id: str
    via_source_id: str | None
    mode: str
    access: str
    reliability: Reliability | None


@dataclass(frozen=True)
class ClaimEvent:
    position: int
    event_type: str
    summary: str


@dataclass(frozen=True)
class AssessmentView:
    """One analyst's assessment relating this claim to another, seen from this claim:
    for a corroboration whether it counts (and why not), and always the rationale."""

    position: int
    relation: str
    other_claim_id: str
    outgoing: bool
    """True when this claim is the one assessed as relating to the other."""
    independence: str
    other_origin: str | None
    counts: bool | None
    """Corroborations only: whether it counts towards CORROBORATED."""
    why: str
    rationale: str


@dataclass
class ClaimHistory:
    """A claim's events, its chain of reported speech and its status."""

    claim_id: str
    position: int | None
    statement: str | None
    status: ClaimStatus | None
    origin: str | None
    chain: list[Hop] = field(default_factory=list)
    events: list[ClaimEvent] = field(default_factory=list)
    independent_corroborations: int = 0
    assessments: list[AssessmentView] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        """False when events name this claim but no ClaimAsserted is known."""
        return self.position is not None

    @property
    def positions(self) -> list[int]:
        return sorted({e.position for e in self.events})


@dataclass(frozen=True)
class Grading:
    position: int
    reliability: Reliability
    effective_at: datetime
    rationale: str


@dataclass(frozen=True)
class SourceView:
    """A registered source with its current reliability and grading history."""

    source_id: str
    position: int
    name: str
    kind: str
    aliases: tuple[str, ...]
    affiliated_source_id: str | None
    reliability: Reliability | None
    history: tuple[Grading, ...]


@dataclass(frozen=True)
class DocumentView:
    document_id: str
    position: int
    title: str
    outlet_source_id: str
    published_at: datetime | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class GazetteerEntryView:
    """One registered actor, place or source: its names, where it sits in the hierarchy,
    its coordinates (places) and how many reports (or, for sources, claims) name it."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    parent_id: str | None
    member_of: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    position: int
    reports: int
