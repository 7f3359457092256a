"""Each force posture rule with its own case."""

from datetime import UTC, datetime

from ledger.domain.enums import Credibility, DeploymentActivity, Reliability
from ledger.domain.posture import PostureStatus, Report, posture_row


def report(position: int, **fields: object) -> Report:
    base: dict[str, object] = {
        "position": position,
        "actor_id": "actor:militia",
        "place_key": "place:town",
        "place_name": "around the town",
        "activity": DeploymentActivity.PRESENT,
        "valid_from": datetime(2015, 10, 1, tzinfo=UTC),
        "valid_to": None,
        "credibility": Credibility.POSSIBLY_TRUE,
        "reliability": Reliability.C,
        "low": 4000,
        "strength_text": "over 4000",
    }
    base.update(fields)
    return Report(**base)  # type: ignore[arg-type]


def test_latest_valid_time_wins_whatever_the_grade() -> None:
    old = report(1, reliability=Reliability.A, credibility=Credibility.CONFIRMED)
    new = report(
        2, valid_from=datetime(2015, 11, 1, tzinfo=UTC), reliability=Reliability.E, low=4200
    )
    row = posture_row([new, old])
    assert row is not None and row.winner is new


def test_same_valid_time_better_grade_wins_then_later_position() -> None:
    weak = report(5, reliability=Reliability.D)
    strong = report(3, reliability=Reliability.B)
    row = posture_row([weak, strong])
    assert row is not None and row.winner is strong
    twin = report(4, reliability=Reliability.B)
    row = posture_row([strong, twin])
    assert row is not None and row.winner is twin
    more_credible = report(2, reliability=Reliability.B, credibility=Credibility.CONFIRMED)
    row = posture_row([twin, more_credible])
    assert row is not None and row.winner is more_credible


def test_a_later_withdrawn_report_withdraws() -> None:
    present = report(1)
    gone = report(
        2,
        valid_from=datetime(2015, 12, 1, tzinfo=UTC),
        activity=DeploymentActivity.WITHDRAWN,
        low=None,
        strength_text=None,
    )
    row = posture_row([present, gone])
    assert row is not None
    assert row.status is PostureStatus.WITHDRAWN and row.winner is gone
    assert row.positions == (1, 2)


def test_contradiction_from_an_equal_or_better_source_contests() -> None:
    winner = report(1, reliability=Reliability.C, low=4000, strength_text="over 4000")
    better = report(
        2,
        valid_from=datetime(2015, 9, 20, tzinfo=UTC),
        reliability=Reliability.B,
        low=None,
        high=500,
        strength_text="fewer than 500",
    )
    row = posture_row([winner, better])
    assert row is not None
    assert row.status is PostureStatus.CONTESTED
    assert row.contradicting == (2,) and row.supporting == ()


def test_contradiction_from_a_worse_source_only_supports() -> None:
    winner = report(1, reliability=Reliability.B)
    worse = report(
        2,
        valid_from=datetime(2015, 9, 20, tzinfo=UTC),
        reliability=Reliability.E,
        low=None,
        high=500,
        strength_text="fewer than 500",
    )
    row = posture_row([winner, worse])
    assert row is not None and row.status is PostureStatus.ACTIVE
    assert row.supporting == (2,)


def test_overlapping_ranges_or_times_do_not_contest() -> None:
    winner = report(1, low=4000, high=5000, strength_text="4000 to 5000")
    close = report(
        2,
        valid_from=datetime(2015, 9, 1, tzinfo=UTC),
        best=4500,
        low=None,
        strength_text="about 4500",
    )
    earlier = report(
        3,
        valid_from=datetime(2015, 1, 1, tzinfo=UTC),
        valid_to=datetime(2015, 2, 1, tzinfo=UTC),
        low=100,
        strength_text="100",
    )
    row = posture_row([winner, close, earlier])
    assert row is not None and row.status is PostureStatus.ACTIVE
    assert row.supporting == (2, 3)


def test_retracted_reports_do_not_win_and_all_retracted_is_retracted() -> None:
    kept = report(1, low=4000)
    retracted = report(2, valid_from=datetime(2015, 12, 1, tzinfo=UTC), retracted=True)
    row = posture_row([kept, retracted])
    assert row is not None and row.winner is kept and row.status is PostureStatus.ACTIVE
    row = posture_row([report(1, retracted=True), retracted])
    assert row is not None and row.status is PostureStatus.RETRACTED


def test_grade_is_reliability_then_credibility() -> None:
    assert report(1, reliability=Reliability.B, credibility=Credibility.PROBABLY_TRUE).grade == "B2"
    assert report(1, reliability=None).grade == "?3"


def test_no_reports_no_row() -> None:
    assert posture_row([]) is None
