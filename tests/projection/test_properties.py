"""Properties over random ledgers: any split into increments folds to the rebuild's
digest, and every as-of answer equals a fold of the ledger truncated at that moment."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.events import Event
from ledger.domain.posture import STALE_AFTER_DAYS
from ledger.projection import claim_history as history_projection
from ledger.projection import fold, posture_reads
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import drop_schema, scratch_digests
from ledger.projection.views import PostureView
from ledger.runtime import open_ledger
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database
from tests.scenarios import ACTORS, CLAIMS, events


def _answers(conn: Any, position: int, schema: str) -> list[Any]:
    rows = posture_reads.posture(conn, position, schema=schema)
    claims = [history_projection.claim_history(conn, c, position, schema=schema) for c in CLAIMS]
    return [
        [
            (
                r.actor_id,
                r.place_key,
                r.status,
                r.winner.position,
                r.winner.grade,
                r.supporting,
                r.contradicting,
            )
            for r in rows
        ],
        [(h.status, h.independent_corroborations, h.events) if h else None for h in claims],
    ]


RANDOM_LEDGERS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Each example creates and fills a database: a dozen per property."""
LEDGERS = st.lists(events(), min_size=1, max_size=40)


@RANDOM_LEDGERS
@given(
    batch=LEDGERS,
    cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=4),
)
def test_increments_equal_rebuild_and_as_of_equals_truncated_replay(
    server_url: str, template_db: str, batch: list[Event], cuts: list[int]
) -> None:
    name = create_database(server_url, template_db)
    try:
        with open_ledger(Settings(database_url=database_url_for(server_url, name))) as ledger:
            ledger.append(batch)
            head = ledger.head().position
            for cut in [*sorted(c for c in cuts if c < head), head]:
                digests = {p: fold(ledger, p, upto=cut).digest for p in PROJECTIONS}
            assert digests == scratch_digests(ledger, head)
            for position in sorted({1, head // 2, head} - {0}):
                scratch = f"projection_replay_{position}"
                for p in PROJECTIONS:
                    fold(ledger, p, upto=position, schema=scratch)
                try:
                    with ledger.connection() as conn:
                        assert _answers(conn, position, "projection") == _answers(
                            conn, position, scratch
                        )
                finally:
                    drop_schema(ledger, scratch)
    finally:
        drop_database(server_url, name)


@RANDOM_LEDGERS
@given(
    batch=LEDGERS,
    day=st.integers(min_value=1, max_value=31),
)
def test_each_timeline_step_equals_the_posture_at_its_cut(
    server_url: str, template_db: str, batch: list[Event], day: int
) -> None:
    """The timeline reads once and works out every step from that; each step must be
    what a posture read at the step's position answers (reports, retractions,
    re-attributions, re-gradings and assessments all land between steps)."""
    valid_at = datetime(2015, 10, 1, tzinfo=UTC) + timedelta(days=day - 1)
    name = create_database(server_url, template_db)
    try:
        with open_ledger(Settings(database_url=database_url_for(server_url, name))) as ledger:
            ledger.append(batch)
            head = ledger.head().position
            for p in PROJECTIONS:
                fold(ledger, p)
            with ledger.connection() as conn:
                for actor in ACTORS:
                    steps = posture_reads.timeline(conn, head, valid_at, actor=actor, limit=None)
                    assert [s.position for s in steps] == posture_reads.timeline_positions(
                        conn, head, actor=actor, limit=None
                    )
                    for step in steps:
                        at_cut = posture_reads.posture(
                            conn, step.position, valid_at=valid_at, actor=actor
                        )
                        assert list(step.rows) == [
                            PostureView.of(r, valid_at, STALE_AFTER_DAYS) for r in at_cut
                        ]
    finally:
        drop_database(server_url, name)


def test_a_timeline_step_grades_by_what_was_known_at_its_cut(
    server_url: str, template_db: str
) -> None:
    """A source re-graded between two steps: the first step keeps the old grade."""

    def report(claim: str | None) -> Event:
        return make(
            "DeploymentReported",
            claim_id=claim,
            actor_id="actor:a0",
            place={"name": "somewhere", "place_id": "place:p0", "precision": "AREA"},
            strength=None,
            activity="PRESENT",
            valid_time={"start": "2015-10-01T00:00:00Z", "precision": "DAY"},
            credibility="POSSIBLY_TRUE",
        )

    batch = [
        make("SourceRegistered", source_id="source:s0", name="Source 0", aliases=[]),
        make("SourceReliabilityAssessed", source_id="source:s0", reliability="C"),
        make("ClaimAsserted", claim_id="claim:c0", document_id="doc:d0"),
        make(
            "AttributionMade",
            claim_id="claim:c0",
            source_id="source:s0",
            via_source_id=None,
            attribution_id="attr:0",
        ),
        report("claim:c0"),
        make("SourceReliabilityAssessed", source_id="source:s0", reliability="A"),
        report(None),
    ]
    valid_at = datetime(2015, 10, 2, tzinfo=UTC)
    name = create_database(server_url, template_db)
    try:
        with open_ledger(Settings(database_url=database_url_for(server_url, name))) as ledger:
            ledger.append(batch)
            for p in PROJECTIONS:
                fold(ledger, p)
            with ledger.connection() as conn:
                steps = posture_reads.timeline(conn, len(batch), valid_at, actor="actor:a0")
    finally:
        drop_database(server_url, name)
    assert [[r.grade for r in s.rows] for s in steps] == [["C3"], ["A3"]]
