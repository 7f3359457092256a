"""The per-run checks: a fold's increment against a fresh fold of it, and the chain from
the last verified position; each catches damage inside its increment."""

import psycopg

from ledger.audit.increment_check import check_increment, verify_since_last
from ledger.demo import load_seed
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.store.postgres import PostgresLedger
from tests.audit.tamper import flip_payload_byte
from tests.factories import make


def fold_all(ledger: PostgresLedger) -> None:
    for name in PROJECTIONS:
        fold(ledger, name)


def test_an_honest_increment_passes_and_covers_only_itself(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    fold_all(ledger)
    first = check_increment(ledger, "force_posture")
    assert first.passed and (first.start, first.cursor, first.rows) == (0, 138, 18)
    ledger.append([make("DeploymentReported", report_id="r:new"), make("ClaimAsserted")])
    fold_all(ledger)
    for name in PROJECTIONS:
        found = check_increment(ledger, name)
        assert found.passed, found.problem
        assert (found.start, found.cursor) == (138, 140)
    assert check_increment(ledger, "force_posture").rows == 1
    fold_all(ledger)  # nothing new: the last real increment is still the one checked
    assert check_increment(ledger, "claim_history").start == 138


def test_an_altered_fact_row_in_the_increment_is_named(
    ledger: PostgresLedger, database_url: str
) -> None:
    load_seed(ledger)
    fold_all(ledger)
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "UPDATE projection.reports SET activity = 'WITHDRAWN' WHERE position ="
            " (SELECT min(position) FROM projection.reports) RETURNING position"
        ).fetchone()
    assert row is not None
    found = check_increment(ledger, "force_posture")
    assert not found.passed and found.first_position == row[0]
    assert "reports row differs" in found.problem


def test_an_altered_current_row_is_caught(ledger: PostgresLedger, database_url: str) -> None:
    load_seed(ledger)
    fold_all(ledger)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE projection.current_posture SET status = 'CONTESTED'"
            " WHERE actor_id = 'actor:hezbollah' AND place_key = 'place:idlib'"
        )
    found = check_increment(ledger, "force_posture")
    assert not found.passed and "actor:hezbollah at place:idlib" in found.problem


def test_the_chain_is_verified_from_where_the_last_run_stopped(
    ledger: PostgresLedger, database_url: str
) -> None:
    load_seed(ledger)
    first = verify_since_last(ledger)
    assert first.ok and first.events == 138
    ledger.append([make("ClaimAsserted"), make("ClaimAsserted")])
    second = verify_since_last(ledger)
    assert second.ok and second.events == 3  # the anchor position, then the two new ones
    ledger.append([make("ClaimAsserted")])
    flip_payload_byte(database_url, 141)
    third = verify_since_last(ledger)
    assert not third.ok and third.first_bad_position == 141
    again = verify_since_last(ledger)  # a failed run does not move the verified position
    assert not again.ok and again.first_bad_position == 141
