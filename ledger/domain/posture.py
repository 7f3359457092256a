"""Force posture rules (second version): which reports set the picture for an actor at a
place, as the ledger knew it at a record-time cut P and for a world time W.

Per (actor, place), from the reports known at P:

1. **Live reports**: those whose claim is not retracted. A report whose claim an analyst
   marked DUPLICATES of another live report's claim counts once: the earlier is kept.
2. **Effective validity**: a report's span is [start, end). A report with no end lasts
   until the start of the next live report for the pair with a later start; the last one
   is open-ended. Growth, reinforcement or withdrawal over time is a change, not a
   contradiction.
3. **Candidates**: the live reports whose effective span contains W (W ``None``: after
   every boundary, the latest picture). No candidate: no row.
4. **Winner**: the best grade among the candidates (reliability A..F, then credibility
   1..6, unknown last), then the later ledger position.
5. **Consistency**: two reports agree when their strength ranges overlap and their
   activities agree (WITHDRAWN disagrees with any presence). EXACT v is [v, v]; APPROX v
   is [0.8 v, 1.25 v] unless low/high are given; AT_LEAST l is [l, inf); AT_MOST h is
   [0, h]; RANGE [l, h]; no strength agrees with any strength. **supporting**: the other
   candidates that agree with the winner; **contradicting**: those that do not.
6. **Status**: WITHDRAWN when the winner says so; CONTESTED when a contradicting report
   comes from a source at least as reliable as the winner's, or an analyst recorded a
   CONTRADICTS assessment between the winner's claim and a contradicting report's claim;
   else ACTIVE. A pair whose reports are all retracted is RETRACTED (the same rules run
   on its retracted reports), and left out of posture lists unless asked for.
7. **Age**: ``age_days`` is W minus the winner's start, in whole days; ``stale`` when it
   exceeds a horizon (``STALE_AFTER_DAYS`` unless the query says otherwise).
8. **Grade**: the original speaker's reliability as last assessed by P, then the report's
   credibility digit, e.g. ``B2``.
9. **Roll-up** (``ledger.domain.gazetteer.subordinates``): asking for an actor may include
   its sub-units and coalition members, each row still naming its own actor.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from ledger.domain.enums import (
    Credibility,
    DeploymentActivity,
    EstimateQualifier,
    Reliability,
    Symbol,
)
from ledger.domain.grading import grade

STALE_AFTER_DAYS = 180
"""Rule 7's default horizon: a winner older than this at W is flagged stale."""

APPROX_LOW, APPROX_HIGH = 0.8, 1.25
"""Rule 5's tolerance around an APPROX best figure."""


class PostureStatus(Symbol):
    ACTIVE = "ACTIVE"
    WITHDRAWN = "WITHDRAWN"
    CONTESTED = "CONTESTED"
    RETRACTED = "RETRACTED"


class Report(NamedTuple):
    """One deployment report as the rules see it (with what is known about its claim).

    A named tuple rather than a frozen dataclass: a posture answer builds one per report
    known at its cut (hundreds for a busy actor), and a tuple is built in half the time.
    """

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
    qualifier: EstimateQualifier = EstimateQualifier.UNKNOWN

    @property
    def has_strength(self) -> bool:
        return self.strength_text is not None or (
            self.low is not None or self.best is not None or self.high is not None
        )

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
    effective_to: datetime | None = None
    """Where the winner's effective span ends (rule 2); None: open-ended."""
    settled_from: datetime | None = None
    """From this world time on the pair's answer is its latest picture (``settled_from``)."""

    @property
    def positions(self) -> tuple[int, ...]:
        """Every report position the row rests on, in ledger order."""
        return tuple(sorted({self.winner.position, *self.supporting, *self.contradicting}))


Pair = frozenset[str]
"""Two claim ids an analyst related (the order of the assessment does not matter)."""


def pair(a: str, b: str) -> Pair:
    return frozenset((a, b))


_LETTERS = [
    Reliability.A,
    Reliability.B,
    Reliability.C,
    Reliability.D,
    Reliability.E,
    Reliability.F,
]
_RANKS = {letter: rank for rank, letter in enumerate(_LETTERS)}


def reliability_rank(reliability: Reliability | None) -> int:
    """0 for A (best) ... 5 for F; unknown ranks last."""
    return _RANKS.get(reliability, len(_LETTERS)) if reliability is not None else len(_LETTERS)


def credibility_rank(credibility: Credibility) -> int:
    return credibility.number or 7


def live_reports(reports: Iterable[Report], duplicates: Iterable[Pair] = ()) -> list[Report]:
    """Rule 1: the reports not retracted, a DUPLICATES pair counted once (the earlier)."""
    live = sorted((r for r in reports if not r.retracted), key=lambda r: r.position)
    partners: dict[str, set[str]] = {}
    for p in duplicates:
        if len(p) == 2:
            a, b = sorted(p)
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
    kept: list[Report] = []
    kept_claims: set[str] = set()
    for report in live:
        claim = report.claim_id
        if claim is not None and partners.get(claim, set()) & kept_claims:
            continue
        kept.append(report)
        if claim is not None:
            kept_claims.add(claim)
    return kept


def effective_end(report: Report, reports: Iterable[Report]) -> datetime | None:
    """Rule 2: the report's own end, else the next later start among ``reports``."""
    return _ends(list(reports)).get(report.position, report.valid_to)


def _ends(reports: list[Report]) -> dict[int, datetime | None]:
    """Rule 2 for every report at once (a sort and a bisection, not a pairwise scan)."""
    starts = sorted({r.valid_from for r in reports})
    ends: dict[int, datetime | None] = {}
    for r in reports:
        if r.valid_to is not None:
            ends[r.position] = r.valid_to
            continue
        later = bisect_right(starts, r.valid_from)
        ends[r.position] = starts[later] if later < len(starts) else None
    return ends


def candidates(reports: list[Report], at: datetime | None) -> list[tuple[Report, datetime | None]]:
    """Rule 3: the reports (with their effective ends) whose span contains ``at``; with
    ``at`` None, those still open after every start and end (the latest picture)."""
    ends = _ends(reports)
    found: list[tuple[Report, datetime | None]] = []
    for r in reports:
        end = ends[r.position]
        if at is None:
            if end is None:
                found.append((r, end))
        elif r.valid_from <= at and (end is None or at < end):
            found.append((r, end))
    return found


def winner_key(report: Report) -> tuple[int, int, int]:
    """Rule 4, larger wins: better reliability, better credibility, later position."""
    return (
        -reliability_rank(report.reliability),
        -credibility_rank(report.credibility),
        report.position,
    )


def strength_range(report: Report) -> tuple[float, float] | None:
    """Rule 5: the interval of strengths the report admits; None without a strength."""
    low, best, high, q = report.low, report.best, report.high, report.qualifier
    inf = float("inf")
    if low is None and best is None and high is None:
        return None
    if q is EstimateQualifier.APPROX and low is None and high is None and best is not None:
        return (APPROX_LOW * best, APPROX_HIGH * best)
    if q is EstimateQualifier.AT_LEAST:
        start = low if low is not None else best
        return (float(start if start is not None else 0), inf)
    if q is EstimateQualifier.AT_MOST:
        end = high if high is not None else best
        return (0.0, float(end) if end is not None else inf)
    lower = low if low is not None else best
    upper = high if high is not None else best
    return (float(lower) if lower is not None else 0.0, float(upper) if upper is not None else inf)


def activities_agree(a: DeploymentActivity, b: DeploymentActivity) -> bool:
    """WITHDRAWN disagrees with any presence (every other activity is a presence)."""
    return (a is DeploymentActivity.WITHDRAWN) == (b is DeploymentActivity.WITHDRAWN)


def agree(a: Report, b: Report) -> bool:
    """Rule 5: strengths overlap (both absent counts as agreeing) and activities agree."""
    if not activities_agree(a.activity, b.activity):
        return False
    ra, rb = strength_range(a), strength_range(b)
    if ra is None or rb is None:
        return ra is None and rb is None
    return ra[0] <= rb[1] and rb[0] <= ra[1]


def status_of(
    winner: Report, contradicting: list[Report], contradictions: Iterable[Pair] = ()
) -> PostureStatus:
    """Rule 6 for a pair with live reports."""
    if winner.activity is DeploymentActivity.WITHDRAWN:
        return PostureStatus.WITHDRAWN
    if contradictions_of(winner, contradicting, set(contradictions)):
        return PostureStatus.CONTESTED
    return PostureStatus.ACTIVE


def contradictions_of(
    winner: Report, contradicting: list[Report], recorded: set[Pair]
) -> list[Report]:
    """The contradicting reports that contest the winner (rule 6)."""
    bar = reliability_rank(winner.reliability)
    return [
        r
        for r in contradicting
        if reliability_rank(r.reliability) <= bar
        or (
            winner.claim_id is not None
            and r.claim_id is not None
            and pair(winner.claim_id, r.claim_id) in recorded
        )
    ]


def posture_row(
    reports: list[Report],
    at: datetime | None = None,
    *,
    duplicates: Iterable[Pair] = (),
    contradictions: Iterable[Pair] = (),
) -> PostureRow | None:
    """The posture of one (actor, place) pair at world time ``at`` (None: the latest
    picture) from all its reports known at a cut; None when no report is a candidate."""
    if not reports:
        return None
    dupes = set(duplicates)
    live = live_reports(reports, dupes)
    retracted = not live
    if retracted:
        live = live_reports([_unretracted(r) for r in reports], dupes)
    found = candidates(live, at)
    if not found:
        return None
    winner, end = max(found, key=lambda c: winner_key(c[0]))
    supporting: list[Report] = []
    against: list[Report] = []
    for other, _ in found:
        if other is not winner:
            (supporting if agree(other, winner) else against).append(other)
    if retracted:
        status = PostureStatus.RETRACTED
        winner = next(r for r in reports if r.position == winner.position)
    else:
        status = status_of(winner, against, contradictions)
    first = reports[0]
    return PostureRow(
        first.actor_id,
        first.place_key,
        winner.place_name,
        status,
        winner,
        tuple(sorted(r.position for r in supporting)),
        tuple(sorted(r.position for r in against)),
        end,
        settled_from(reports),
    )


def _unretracted(report: Report) -> Report:
    return report._replace(retracted=False)


def settled_from(reports: Iterable[Report]) -> datetime | None:
    """The last start or end among the reports: from then on the answer for any W is the
    latest picture (``posture_row(..., at=None)``). None without reports."""
    return max(
        (max(r.valid_from, r.valid_to or r.valid_from) for r in reports),
        default=None,
    )


def age_days(row: PostureRow, at: datetime) -> int:
    """Rule 7: whole days from the winner's start to ``at`` (never negative)."""
    return max(0, (at - row.winner.valid_from).days)


def is_stale(age: int, horizon: int = STALE_AFTER_DAYS) -> bool:
    """Rule 7: older than the horizon."""
    return age > horizon
