"""Projections folded from a real ledger: the seed posture, the rules end to end,
bitemporal answers, incremental equals rebuild."""

import time
from datetime import UTC, datetime

import pytest

from ledger.demo import load_seed
from ledger.domain.events import Event
from ledger.domain.posture import PostureRow, PostureStatus
from ledger.projection import claim_history as history_projection
from ledger.projection import fold, posture_reads, rebuild
from ledger.projection import schema as tables
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import scratch_digests
from ledger.store.postgres import PostgresLedger
from tests.factories import make


def project(ledger: PostgresLedger) -> dict[str, str]:
    return {name: fold(ledger, name).digest for name in PROJECTIONS}


def posture_by_key(
    ledger: PostgresLedger, position: int | None = None, valid_at: datetime | None = None
) -> dict[tuple[str, str], PostureRow]:
    with ledger.connection() as conn:
        at = tables.cursor(conn, "force_posture") if position is None else position
        rows = posture_reads.posture(conn, at, valid_at=valid_at)
    return {(r.actor_id, r.place_key): r for r in rows}


def test_seed_article_gives_the_posture_an_analyst_reads(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    project(ledger)
    rows = posture_by_key(ledger)
    militia = rows[("actor:iraqi-militia", "place:sahel-al-ghab")]
    assert (militia.winner.low, militia.winner.strength_text) == (4000, "over 4000")
    assert militia.winner.activity.value == "PRESENT" and militia.status is PostureStatus.ACTIVE
    iran = rows[("actor:iran", "place:syria")]
    assert (iran.winner.low, iran.winner.strength_text) == (2000, "thousands")
    for place in ("place:idlib", "place:aleppo"):
        hezbollah = rows[("actor:hezbollah", place)]
        assert hezbollah.winner.activity.value == "REINFORCING"
        assert hezbollah.winner.grade == "B3"
    room = rows[("actor:damascus-joint-ops-room", "place:damascus")]
    assert room.winner.activity.value == "HQ" and room.winner.grade == "F3"
    general = rows[("actor:russian-general-baghdad-room", "place:baghdad")]
    assert general.winner.activity.value == "PRESENT"
    assert len(rows) == 18
    with ledger.connection() as conn:
        history = history_projection.claim_history(conn, "claim:seed-05", ledger.head().position)
    assert history is not None
    assert [h.source_id for h in history.chain] == [
        "source:anon-damascus-senior",
        "source:elijah-magnier",
    ]
    assert [h.reliability.value if h.reliability else None for h in history.chain] == ["F", "B"]


def _claim(claim_id: str) -> Event:
    return make("ClaimAsserted", claim_id=claim_id)


def _said(claim_id: str, source: str, n: int) -> Event:
    return make(
        "AttributionMade",
        claim_id=claim_id,
        source_id=source,
        via_source_id=None,
        attribution_id=f"attr:{claim_id}:{n}",
    )


def _report(claim_id: str, n: int, **fields: object) -> Event:
    return make("DeploymentReported", claim_id=claim_id, report_id=f"dep:{n}", **fields)


def test_retraction_leaves_current_posture_but_not_the_past(ledger: PostgresLedger) -> None:
    ledger.append([_claim("claim:a"), _said("claim:a", "source:x", 1), _report("claim:a", 1)])
    project(ledger)
    before = ledger.head()
    time.sleep(0.01)
    ledger.append([make("ClaimRetracted", claim_id="claim:a")])
    project(ledger)
    now = posture_by_key(ledger)
    assert now[("actor:militia", "place:town")].status is PostureStatus.RETRACTED
    assert before.recorded_at is not None
    then = ledger.position_at(before.recorded_at)
    past = posture_by_key(ledger, then)
    assert past[("actor:militia", "place:town")].status is PostureStatus.ACTIVE


def test_better_source_wins_a_recorded_contradiction_contests_a_later_withdrawal_withdraws(
    ledger: PostgresLedger,
) -> None:
    ledger.append(
        [
            make("SourceReliabilityAssessed", source_id="source:good", reliability="B"),
            make("SourceReliabilityAssessed", source_id="source:poor", reliability="E"),
            _claim("claim:1"),
            _said("claim:1", "source:poor", 1),
            _report("claim:1", 1),
            _claim("claim:2"),
            _said("claim:2", "source:good", 2),
            _report(
                "claim:2",
                2,
                strength={
                    "high": 300,
                    "qualifier": "AT_MOST",
                    "unit": "fighters",
                    "text": "at most 300",
                },
            ),
        ]
    )
    project(ledger)
    row = posture_by_key(ledger)[("actor:militia", "place:town")]
    assert row.status is PostureStatus.ACTIVE
    assert row.winner.strength_text == "at most 300" and len(row.contradicting) == 1
    ledger.append(
        [
            make(
                "ClaimAssessed",
                claim_id="claim:1",
                related_claim_id="claim:2",
                relation="CONTRADICTS",
                independence="INDEPENDENT",
            )
        ]
    )
    project(ledger)
    row = posture_by_key(ledger)[("actor:militia", "place:town")]
    assert row.status is PostureStatus.CONTESTED
    ledger.append(
        [
            _claim("claim:3"),
            _said("claim:3", "source:poor", 3),
            _report(
                "claim:3",
                3,
                activity="WITHDRAWN",
                strength=None,
                valid_time={"start": "2015-12-01T00:00:00Z", "precision": "DAY"},
            ),
        ]
    )
    project(ledger)
    assert posture_by_key(ledger)[("actor:militia", "place:town")].status is (
        PostureStatus.WITHDRAWN
    )
    regraded = posture_by_key(ledger, valid_at=datetime(2015, 10, 15, tzinfo=UTC))
    assert regraded[("actor:militia", "place:town")].status is PostureStatus.CONTESTED


def test_regrading_a_source_changes_current_rows(ledger: PostgresLedger) -> None:
    ledger.append(
        [
            _claim("claim:1"),
            _said("claim:1", "source:s", 1),
            _report("claim:1", 1),
            make("SourceReliabilityAssessed", source_id="source:s", reliability="C"),
        ]
    )
    project(ledger)
    with ledger.connection() as conn:
        (grade,) = conn.execute("SELECT grade FROM projection.current_posture").fetchone()  # type: ignore[misc]
    assert grade == "C3"
    ledger.append([make("SourceReliabilityAssessed", source_id="source:s", reliability="A")])
    project(ledger)
    with ledger.connection() as conn:
        (grade,) = conn.execute("SELECT grade FROM projection.current_posture").fetchone()  # type: ignore[misc]
    assert grade == "A3"


def test_two_same_origin_corroborations_count_once(ledger: PostgresLedger) -> None:
    ledger.append(
        [
            _claim("claim:main"),
            _said("claim:main", "source:a", 1),
            _claim("claim:echo1"),
            _said("claim:echo1", "source:b", 2),
            _claim("claim:echo2"),
            _said("claim:echo2", "source:b", 3),
            make(
                "ClaimAssessed",
                assessment_id="as:1",
                claim_id="claim:echo1",
                related_claim_id="claim:main",
                relation="CORROBORATES",
                independence="INDEPENDENT",
            ),
            make(
                "ClaimAssessed",
                assessment_id="as:2",
                claim_id="claim:echo2",
                related_claim_id="claim:main",
                relation="CORROBORATES",
                independence="INDEPENDENT",
            ),
        ]
    )
    project(ledger)
    with ledger.connection() as conn:
        history = history_projection.claim_history(conn, "claim:main", ledger.head().position)
    assert history is not None
    assert history.status is not None and history.status.value == "CORROBORATED"
    assert history.independent_corroborations == 1


def test_unresolved_references_are_shown_not_dropped(ledger: PostgresLedger) -> None:
    ledger.append([_said("claim:ghost", "source:x", 1)])
    project(ledger)
    with ledger.connection() as conn:
        position = ledger.head().position
        assert history_projection.unresolved_references(conn, position) == [
            (1, "AttributionMade", "claim:ghost")
        ]
        history = history_projection.claim_history(conn, "claim:ghost", position)
    assert history is not None and not history.resolved and history.status is None


def test_incremental_equals_rebuild_and_a_fresh_fold(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    head = ledger.head().position
    for upto in (10, 57, 58, 100, head):
        digests = {name: fold(ledger, name, upto=upto).digest for name in PROJECTIONS}
    assert digests == scratch_digests(ledger, head)
    rebuilt = {r.name: r.digest for r in rebuild(ledger)}
    assert rebuilt == digests
    assert posture_by_key(ledger)  # the swapped-in schema answers


@pytest.mark.parametrize("name", list(PROJECTIONS))
def test_fold_is_idempotent(ledger: PostgresLedger, name: str) -> None:
    load_seed(ledger)
    project(ledger)
    again = fold(ledger, name)
    assert again.folded == 0 and again.start == again.cursor


def test_claim_history_says_which_corroborations_count_and_gives_rationales(
    ledger: PostgresLedger,
) -> None:
    def assess(n: int, claim: str, relation: str, rationale: str) -> Event:
        return make(
            "ClaimAssessed",
            assessment_id=f"assess:{n}",
            claim_id=claim,
            related_claim_id="claim:main",
            relation=relation,
            independence="INDEPENDENT",
            rationale=rationale,
        )

    ledger.append(
        [
            _claim("claim:main"),
            _said("claim:main", "source:own", 1),
            _claim("claim:a1"),
            _said("claim:a1", "source:a", 2),
            _claim("claim:a2"),
            _said("claim:a2", "source:a", 3),
            _claim("claim:c"),
            assess(1, "claim:a1", "CORROBORATES", "same figure"),
            assess(2, "claim:a2", "CORROBORATES", "repeats it"),
            assess(3, "claim:c", "CONTRADICTS", "says they left"),
        ]
    )
    project(ledger)
    with ledger.connection() as conn:
        found = history_projection.claim_history(conn, "claim:main", ledger.head().position)
    assert found is not None and found.independent_corroborations == 1
    verdicts = [(a.other_claim_id, a.relation, a.counts, a.rationale) for a in found.assessments]
    assert verdicts == [
        ("claim:a1", "CORROBORATES", True, "same figure"),
        ("claim:a2", "CORROBORATES", False, "repeats it"),
        ("claim:c", "CONTRADICTS", None, "says they left"),
    ]
    assert "already counted" in found.assessments[1].why
    assert all(not a.outgoing for a in found.assessments)
