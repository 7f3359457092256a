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
from tests.helpers import create_database, database_url_for, drop_database
from tests.scenarios import CLAIMS, events


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
