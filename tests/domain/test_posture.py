"""Each force posture rule (second version) with its own case, then the cases an analyst
tripped over with the first rules."""

from datetime import UTC, datetime

from ledger.domain.enums import Credibility, DeploymentActivity, EstimateQualifier, Reliability
from ledger.domain.posture import (
    PostureStatus,
    Report,
    age_days,
    agree,
    candidates,
    effective_end,
    is_stale,
    live_reports,
    pair,
    posture_row,
    settled_from,
    strength_range,
)

Q = EstimateQualifier


def day(year: int, month: int = 1, d: int = 1) -> datetime:
    return datetime(year, month, d, tzinfo=UTC)


def report(position: int, **fields: object) -> Report:
    base: dict[str, object] = {
        "position": position,
        "actor_id": "actor:militia",
        "place_key": "place:town",
        "place_name": "around the town",
        "activity": DeploymentActivity.PRESENT,
        "valid_from": day(2015, 10),
        "valid_to": None,
        "credibility": Credibility.POSSIBLY_TRUE,
        "reliability": Reliability.C,
        "low": 4000,
        "qualifier": Q.AT_LEAST,
        "strength_text": "over 4000",
        "claim_id": f"claim:{position}",
    }
    base.update(fields)
    return Report(**base)  # type: ignore[arg-type]


def strength(text: str, q: EstimateQualifier, **bounds: int | None) -> dict[str, object]:
    return {"strength_text": text, "qualifier": q, "low": None, **bounds}


# -- rule 1: live reports --------------------------------------------------------------


def test_rule_1_retracted_reports_are_not_live_and_duplicates_count_once() -> None:
    first, copy, other = report(1), report(2), report(3, retracted=True)
    live = live_reports([copy, first, other], [pair("claim:2", "claim:1")])
    assert live == [first]
    assert live_reports([first, copy]) == [first, copy]


# -- rule 2: effective validity --------------------------------------------------------


def test_rule_2_an_open_report_lasts_until_the_next_later_start() -> None:
    early, later = report(1, valid_from=day(2015)), report(2, valid_from=day(2015, 6))
    bounded = report(3, valid_from=day(2015), valid_to=day(2015, 3))
    assert effective_end(early, [early, later, bounded]) == day(2015, 6)
    assert effective_end(later, [early, later, bounded]) is None
    assert effective_end(bounded, [early, later, bounded]) == day(2015, 3)


# -- rule 3: candidates ----------------------------------------------------------------


def test_rule_3_candidates_are_the_reports_whose_span_contains_w() -> None:
    early, later = report(1, valid_from=day(2015)), report(2, valid_from=day(2015, 6))
    assert [r for r, _ in candidates([early, later], day(2015, 3))] == [early]
    assert [r for r, _ in candidates([early, later], day(2016))] == [later]
    assert [r for r, _ in candidates([early, later], None)] == [later]
    assert candidates([early, later], day(2014)) == []
    assert posture_row([early, later], day(2014)) is None


# -- rule 4: winner --------------------------------------------------------------------


def test_rule_4_best_grade_wins_then_later_position() -> None:
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
    unknown = report(6, reliability=None, credibility=Credibility.CONFIRMED)
    row = posture_row([unknown, weak])
    assert row is not None and row.winner is weak


# -- rule 5: consistency ---------------------------------------------------------------


def test_rule_5_strength_ranges_per_qualifier() -> None:
    assert strength_range(report(1, **strength("1000", Q.EXACT, best=1000))) == (1000, 1000)
    assert strength_range(report(1, **strength("about 1000", Q.APPROX, best=1000))) == (
        800,
        1250,
    )
    given = report(1, **strength("about 1000", Q.APPROX, low=900, best=1000, high=1100))
    assert strength_range(given) == (900, 1100)
    assert strength_range(report(1)) == (4000, float("inf"))
    assert strength_range(report(1, **strength("at most 500", Q.AT_MOST, high=500))) == (0, 500)
    assert strength_range(report(1, **strength("2-3k", Q.RANGE, low=2000, high=3000))) == (
        2000,
        3000,
    )
    assert strength_range(report(1, strength_text=None, low=None)) is None


def test_rule_5_agreement_needs_overlapping_strengths_and_agreeing_activities() -> None:
    about = report(1, **strength("about 1000", Q.APPROX, best=1000))
    assert agree(about, report(2, **strength("1200", Q.EXACT, best=1200)))
    assert not agree(about, report(2, **strength("1300", Q.EXACT, best=1300)))
    assert agree(about, report(2, **strength("up to 900", Q.AT_MOST, high=900)))
    gone = report(3, activity=DeploymentActivity.WITHDRAWN, strength_text=None, low=None)
    assert not agree(gone, report(4, strength_text=None, low=None))
    assert agree(
        gone, report(5, activity=DeploymentActivity.WITHDRAWN, strength_text=None, low=None)
    )
    assert not agree(about, report(6, strength_text=None, low=None))
    reinforcing = report(7, activity=DeploymentActivity.REINFORCING, low=4500)
    assert agree(report(8), reinforcing)


def test_rule_5_supporting_agree_with_the_winner_contradicting_do_not() -> None:
    winner = report(1, reliability=Reliability.B)
    close = report(2, reliability=Reliability.E, **strength("5000", Q.EXACT, best=5000))
    far = report(3, reliability=Reliability.E, **strength("fewer than 500", Q.AT_MOST, high=500))
    row = posture_row([winner, close, far])
    assert row is not None and row.winner is winner
    assert row.supporting == (2,) and row.contradicting == (3,)
    assert row.positions == (1, 2, 3)


# -- rule 6: status --------------------------------------------------------------------


def test_rule_6_withdrawn_when_the_winner_says_so() -> None:
    present = report(1)
    gone = report(2, activity=DeploymentActivity.WITHDRAWN, strength_text=None, low=None)
    row = posture_row([present, gone], day(2016))
    assert row is not None and row.status is PostureStatus.WITHDRAWN and row.winner is gone
    better_gone = report(
        3,
        activity=DeploymentActivity.WITHDRAWN,
        strength_text=None,
        low=None,
        reliability=Reliability.A,
    )
    row = posture_row([present, better_gone], day(2016))
    assert row is not None and row.status is PostureStatus.WITHDRAWN
    assert row.supporting == () and row.contradicting == (1,)


def test_rule_6_contested_by_an_equal_or_better_source() -> None:
    winner = report(1, reliability=Reliability.C, credibility=Credibility.CONFIRMED)
    equal = report(2, reliability=Reliability.C, **strength("under 500", Q.AT_MOST, high=500))
    row = posture_row([winner, equal])
    assert row is not None and row.winner is winner
    assert row.status is PostureStatus.CONTESTED and row.contradicting == (2,)
    worse = report(3, reliability=Reliability.D, **strength("under 500", Q.AT_MOST, high=500))
    row = posture_row([winner, worse])
    assert row is not None and row.status is PostureStatus.ACTIVE and row.contradicting == (3,)


def test_rule_6_contested_by_a_recorded_contradiction() -> None:
    winner = report(1, reliability=Reliability.B)
    worse = report(2, reliability=Reliability.E, **strength("under 500", Q.AT_MOST, high=500))
    row = posture_row([winner, worse], contradictions=[pair("claim:2", "claim:1")])
    assert row is not None and row.status is PostureStatus.CONTESTED


def test_rule_6_all_retracted_is_retracted() -> None:
    kept = report(1)
    retracted = report(2, valid_from=day(2015, 12), retracted=True)
    row = posture_row([kept, retracted])
    assert row is not None and row.winner is kept and row.status is PostureStatus.ACTIVE
    row = posture_row([report(1, retracted=True), retracted])
    assert row is not None and row.status is PostureStatus.RETRACTED
    assert row.winner is retracted


# -- rule 7: age -----------------------------------------------------------------------


def test_rule_7_age_and_stale() -> None:
    row = posture_row([report(1, valid_from=day(2015, 10))], day(2016, 3, 29))
    assert row is not None
    assert age_days(row, day(2016, 3, 29)) == 180
    assert not is_stale(180) and is_stale(181) and not is_stale(181, horizon=365)
    assert age_days(row, day(2015, 1)) == 0


# -- rule 8: grade ---------------------------------------------------------------------


def test_rule_8_grade_is_reliability_then_credibility() -> None:
    assert report(1, reliability=Reliability.B, credibility=Credibility.PROBABLY_TRUE).grade == "B2"
    assert report(1, reliability=None).grade == "?3"


def test_settled_from_is_the_last_boundary() -> None:
    reports = [report(1, valid_from=day(2015)), report(2, valid_from=day(2014), valid_to=day(2016))]
    assert settled_from(reports) == day(2016)
    assert settled_from([]) is None


def test_no_reports_no_row() -> None:
    assert posture_row([]) is None


# -- the cases under "Why" -------------------------------------------------------------


def test_reinforcement_over_time_is_active_with_the_new_strength() -> None:
    first = report(1, valid_from=day(2015, 1), **strength("1,200", Q.APPROX, best=1200))
    more = report(
        2,
        valid_from=day(2015, 6),
        activity=DeploymentActivity.REINFORCING,
        **strength("2,000", Q.APPROX, best=2000),
    )
    row = posture_row([first, more], day(2015, 7))
    assert row is not None and row.status is PostureStatus.ACTIVE and row.winner is more
    assert row.supporting == () and row.contradicting == ()
    row = posture_row([first, more], day(2015, 3))
    assert row is not None and row.winner is first


def test_simultaneous_conflicting_reports_better_grade_wins_the_other_contradicts() -> None:
    weaker = report(1, reliability=Reliability.D, **strength("2,000", Q.APPROX, best=2000))
    better = report(
        2, reliability=Reliability.B, **strength("no more than 500", Q.AT_MOST, high=500)
    )
    row = posture_row([weaker, better])
    assert row is not None and row.winner is better
    assert row.status is PostureStatus.ACTIVE
    assert row.contradicting == (1,) and row.supporting == ()


def test_a_later_withdrawal_has_no_supporting_presence_reports() -> None:
    present = [report(p, valid_from=day(2015, p)) for p in (1, 2, 3)]
    gone = report(4, valid_from=day(2015, 6), activity=DeploymentActivity.WITHDRAWN, low=None)
    row = posture_row([*present, gone], day(2015, 7))
    assert row is not None and row.status is PostureStatus.WITHDRAWN
    assert row.winner is gone and row.supporting == () and row.contradicting == ()


def test_old_reports_are_stale_at_a_far_valid_time() -> None:
    at = day(2026, 11, 30)
    row = posture_row([report(1, valid_from=day(2015, 10))], at)
    assert row is not None and row.status is PostureStatus.ACTIVE
    assert is_stale(age_days(row, at))


def test_a_duplicates_pair_counts_once() -> None:
    first = report(1, reliability=Reliability.E)
    copy = report(2, reliability=Reliability.E)
    row = posture_row([first, copy], duplicates=[pair("claim:1", "claim:2")])
    assert row is not None and row.winner is first and row.positions == (1,)
