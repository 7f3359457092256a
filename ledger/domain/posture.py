"""Force posture rules: which report sets the picture for an actor at a place.

A posture row answers "what strength does this actor have at this place, doing what, as
best we know". It is derived from the deployment reports for that (actor, place) pair:

1. **Winner**: among reports not retracted, the one with the latest valid-time start;
   on a tie the better grade (reliability A before F, then credibility 1 before 6,
   unknown last); on a further tie the later ledger position.
2. **WITHDRAWN**: the winner reports the actor withdrawn.
3. **CONTESTED**: another report, not retracted, whose valid time overlaps the
   winner's, from an equal or better source (reliability letter), gives a strength
   whose range does not overlap the winner's.
4. **RETRACTED**: every report of the pair belongs to a retracted claim; the row stays,
   for the record, but current posture lists leave it out unless asked.
5. **Grade**: the reliability of the claim's original speaker (the innermost source of
   its attribution chain), then the report's credibility digit, e.g. ``F3``.

Status precedence: RETRACTED, then WITHDRAWN, then CONTESTED, then ACTIVE.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ledger.domain.enums import Credibility, DeploymentActivity, Reliability
from ledger.domain.grading import grade


class PostureStatus(StrEnum):
    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"
    CONTESTED = "CONTESTED"
    RETRACTED = "RETRACTED"


@dataclass(frozen=True)
class Report:
    """One deployment report as the rules see it (with what is known about its claim)."""

    position: int
    actor_id: str
    place_key: str
    place_name: str
    activity: DeploymentActivity
    valid_from: datetime
    valid_to: datetime | None
    credibility: Credibility
    low: int | None = None
    best: int | None = None
    high: int | None = None
    strength_text: str | None = None
    claim_id: str | None = None
    reliability: Reliability | None = None
    retracted: bool = False

    @property
    def has_strength(self) -> bool:
        return self.strength_text is not None

    @property
    def grade(self) -> str:
        return grade(self.reliability, self.credibility)


@dataclass(frozen=True)
class PostureRow:
    actor_id: str
    place_key: str
    place_name: str
    status: PostureStatus
    winner: Report
    supporting: tuple[int, ...] = field(default_factory=tuple)
    contradicting: tuple[int, ...] = field(default_factory=tuple)

    @property
    def positions(self) -> tuple[int, ...]:
        """Every report position the row rests on, in ledger order."""
        return tuple(sorted({self.winner.position, *self.supporting, *self.contradicting}))


_LETTERS = [
    Reliability.A,
    Reliability.B,
    Reliability.C,
    Reliability.D,
    Reliability.E,
    Reliability.F,
]


def reliability_rank(reliability: Reliability | None) -> int:
    """0 for A (best) ... 5 for F; unknown ranks last."""
    return _LETTERS.index(reliability) if reliability in _LETTERS else len(_LETTERS)


def credibility_rank(credibility: Credibility) -> int:
    return credibility.number or 7


def winner_key(report: Report) -> tuple[datetime, int, int, int]:
    """Larger wins: later valid start, better reliability, better credibility, later position."""
    return (
        report.valid_from,
        -reliability_rank(report.reliability),
        -credibility_rank(report.credibility),
        report.position,
    )


def bounds(report: Report) -> tuple[int | None, int | None]:
    low = report.low if report.low is not None else report.best
    high = report.high if report.high is not None else report.best
    return low, high


def ranges_overlap(a: Report, b: Report) -> bool:
    a_low, a_high = bounds(a)
    b_low, b_high = bounds(b)
    below = a_high is not None and b_low is not None and a_high < b_low
    above = b_high is not None and a_low is not None and b_high < a_low
    return not (below or above)


def times_overlap(a: Report, b: Report) -> bool:
    a_ends_before = a.valid_to is not None and a.valid_to <= b.valid_from
    b_ends_before = b.valid_to is not None and b.valid_to <= a.valid_from
    return not (a_ends_before or b_ends_before)


def contradicts(other: Report, winner: Report) -> bool:
    """Rule 3: ``other`` contests ``winner``."""
    return (
        other.has_strength
        and winner.has_strength
        and times_overlap(other, winner)
        and reliability_rank(other.reliability) <= reliability_rank(winner.reliability)
        and not ranges_overlap(other, winner)
    )


def posture_row(reports: list[Report]) -> PostureRow | None:
    """The posture of one (actor, place) pair from all its reports; None without reports."""
    if not reports:
        return None
    first = reports[0]
    active = [r for r in reports if not r.retracted]
    if not active:
        winner = max(reports, key=winner_key)
        return PostureRow(
            first.actor_id, first.place_key, winner.place_name, PostureStatus.RETRACTED, winner
        )
    winner = max(active, key=winner_key)
    others = [r for r in active if r is not winner]
    against = tuple(sorted(r.position for r in others if contradicts(r, winner)))
    supporting = tuple(sorted(r.position for r in others if r.position not in against))
    if winner.activity is DeploymentActivity.WITHDRAWN:
        status = PostureStatus.WITHDRAWN
    elif against:
        status = PostureStatus.CONTESTED
    else:
        status = PostureStatus.ACTIVE
    return PostureRow(
        first.actor_id, first.place_key, winner.place_name, status, winner, supporting, against
    )
