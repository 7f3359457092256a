"""Replay: deterministic, and equal to what the live projections answer as of the same time."""

import time
from pathlib import Path

import pytest

from ledger.audit.replay import replay
from ledger.demo import load_seed
from ledger.domain.events import Event
from ledger.errors import LedgerError
from ledger.projection import fold, posture_reads
from ledger.projection.catalog import PROJECTIONS
from ledger.store.postgres import PostgresLedger
from tests.factories import make


def project(ledger: PostgresLedger) -> None:
    for name in PROJECTIONS:
        fold(ledger, name)


def _said(claim_id: str, source: str) -> Event:
    return make(
        "AttributionMade",
        claim_id=claim_id,
        source_id=source,
        via_source_id=None,
        attribution_id=f"attr:{claim_id}",
    )


@pytest.fixture
def history(ledger: PostgresLedger) -> PostgresLedger:
    """The seed, then a later retraction and re-grading: the past differs from now."""
    load_seed(ledger)
    time.sleep(0.01)
    ledger.append(
        [
            make("ClaimRetracted", claim_id="claim:seed-21"),
            make("SourceReliabilityAssessed", source_id="source:elijah-magnier", reliability="D"),
        ]
    )
    project(ledger)
    return ledger


def test_the_same_ledger_replays_to_identical_files(
    history: PostgresLedger, tmp_path: Path
) -> None:
    first = replay(history, position=138, out=tmp_path / "a")
    second = replay(history, position=138, out=tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "reports.csv" in names and "manifest.json" in names and len(names) == 14
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert first.digests == second.digests
    assert first.schema is None  # the scratch schema is gone once written out
    with history.connection() as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'projection_replay%'"
        ).fetchone() == (0,)


def test_replay_as_of_equals_the_live_answer_as_of(history: PostgresLedger) -> None:
    with history.connection() as conn:
        recorded = conn.execute(
            "SELECT recorded_at FROM ledger.events WHERE position = 138"
        ).fetchone()
    assert recorded is not None
    result = replay(history, as_of=recorded[0], compare=True)
    assert result.position == 138 and result.differences == []
    assert result.schema == "projection_replay_138"
    with history.connection() as conn:
        live = posture_reads.posture(conn, 138)
        replayed = posture_reads.posture(conn, 138, schema="projection_replay_138")
        now = posture_reads.posture(conn, 140)
    assert live == replayed and replayed != now  # the retraction came later
    militia = [r for r in replayed if r.actor_id == "actor:iraqi-militia"]
    assert militia[0].status.value == "ACTIVE"


def test_replay_at_the_head_has_the_live_digests(history: PostgresLedger) -> None:
    result = replay(history, schema="projection_replay_head")
    with history.connection() as conn:
        from ledger.projection.fold import digest

        assert result.digests == {name: digest(conn, name) for name in PROJECTIONS}


def test_compare_reports_a_tampered_live_projection(history: PostgresLedger) -> None:
    with history.connection() as conn:
        conn.execute("UPDATE projection.reports SET high = 999 WHERE position = 108")
    result = replay(history, position=138, compare=True)
    keys = [d.key for d in result.differences]
    assert "reports position 108" in keys
    assert any(
        d.projection == "force_posture" and "iraqi-militia" in d.key for d in result.differences
    )


def test_compare_says_when_the_live_projections_lag(ledger: PostgresLedger) -> None:
    ledger.append([make("ClaimAsserted")])
    project(ledger)
    ledger.append([make("ClaimAsserted", claim_id="claim:later")])
    result = replay(ledger, compare=True)
    assert {d.key for d in result.differences} == {"cursor"}
    assert "run `ledger project`" in result.differences[0].problem


def test_a_replay_never_writes_into_the_live_schema(history: PostgresLedger) -> None:
    with pytest.raises(LedgerError, match="live schema"):
        replay(history, schema="projection")
