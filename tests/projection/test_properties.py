"""Properties over random ledgers: any split into increments folds to the rebuild's
digest, and every as-of answer equals a fold of the ledger truncated at that moment."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.domain.events import Event
from ledger.projection import claim_history as history_projection
from ledger.projection import fold, force_posture
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import drop_schema, scratch_digests
from ledger.runtime import open_ledger
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database

CLAIMS = [f"claim:c{i}" for i in range(4)]
SOURCES = [f"source:s{i}" for i in range(3)]
ACTORS = ["actor:a0", "actor:a1"]
PLACES = ["place:p0", "place:p1"]
DAYS = st.integers(min_value=1, max_value=28).map(lambda d: f"2015-10-{d:02d}T00:00:00Z")


@st.composite
def strengths(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    low = draw(st.integers(0, 5000))
    high = low + draw(st.integers(0, 3000))
    return draw(
        st.sampled_from(
            [
                {"low": low, "qualifier": "AT_LEAST", "unit": "fighters", "text": f"over {low}"},
                {
                    "high": high,
                    "qualifier": "AT_MOST",
                    "unit": "fighters",
                    "text": f"at most {high}",
                },
                {
                    "low": low,
                    "high": high,
                    "qualifier": "RANGE",
                    "unit": "fighters",
                    "text": f"{low}-{high}",
                },
            ]
        )
    )


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(
        st.sampled_from(["claim", "said", "report", "report", "retract", "grade", "assess"])
    )
    claim = draw(st.sampled_from(CLAIMS))
    if kind == "claim":
        return make("ClaimAsserted", claim_id=claim)
    if kind == "said":
        return make(
            "AttributionMade",
            claim_id=claim,
            source_id=draw(st.sampled_from(SOURCES)),
            via_source_id=None,
            attribution_id=f"attr:{draw(st.integers(0, 999))}",
        )
    if kind == "report":
        return make(
            "DeploymentReported",
            claim_id=draw(st.none() | st.just(claim)),
            actor_id=draw(st.sampled_from(ACTORS)),
            place={
                "name": "somewhere",
                "place_id": draw(st.sampled_from(PLACES)),
                "precision": "AREA",
            },
            strength=draw(strengths()),
            activity=draw(st.sampled_from(["PRESENT", "REINFORCING", "WITHDRAWN"])),
            valid_time={"start": draw(DAYS), "precision": "DAY"},
            credibility=draw(st.sampled_from(["CONFIRMED", "POSSIBLY_TRUE", "DOUBTFUL"])),
        )
    if kind == "retract":
        return make("ClaimRetracted", claim_id=claim)
    if kind == "grade":
        return make(
            "SourceReliabilityAssessed",
            source_id=draw(st.sampled_from(SOURCES)),
            reliability=draw(st.sampled_from("ABCDEF")),
        )
    other = draw(st.sampled_from([c for c in CLAIMS if c != claim]))
    return make(
        "ClaimAssessed",
        claim_id=claim,
        related_claim_id=other,
        relation=draw(st.sampled_from(["CORROBORATES", "CONTRADICTS", "REFINES"])),
        independence=draw(st.sampled_from(["INDEPENDENT", "SAME_ORIGIN", "UNKNOWN"])),
    )


def _answers(conn: Any, position: int, schema: str) -> list[Any]:
    rows = force_posture.posture(conn, position, schema=schema)
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


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(events(), min_size=1, max_size=40),
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
