"""A fresh schema's fact rows fold in parallel processes, and give the same rows."""

import pytest

from ledger import split
from ledger.demo import load_seed
from ledger.projection import force_posture, parallel
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import digest, fold, scratch_digests
from ledger.projection.schema import SCHEMA
from ledger.store.postgres import PostgresLedger


def test_a_parallel_fold_gives_the_rows_of_a_serial_one(
    ledger: PostgresLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)  # the live schema: always serial
    with ledger.connection() as conn:
        serial = {name: digest(conn, name) for name in PROJECTIONS}
    monkeypatch.setattr(parallel, "PARALLEL_MIN_EVENTS", 10)
    monkeypatch.setattr(split, "worker_count", lambda: 3)
    calls: list[tuple[str, int]] = []
    real = parallel.fold_facts

    def counted(*args: object, **kwargs: object) -> tuple[dict[str, int], int]:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append((str(args[1]), found[1]))
        return found

    monkeypatch.setattr(parallel, "fold_facts", counted)
    assert scratch_digests(ledger, ledger.head().position) == serial
    folded = dict(calls)
    assert set(folded) == set(PROJECTIONS) and folded["force_posture"] == 18
    assert sum(folded.values()) == ledger.head().position  # every event folded once


def test_the_after_fold_shares_together_write_what_the_whole_writes(
    ledger: PostgresLedger,
) -> None:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)
    head = ledger.head().position
    with ledger.connection() as conn:
        whole = digest(conn, "force_posture")
        pairs = conn.execute("SELECT count(*) FROM projection.current_posture").fetchone()
        for table in force_posture.DERIVED:
            conn.execute(f"TRUNCATE projection.{table}")
        for share in range(3):  # a primary key written by two shares would fail the COPY
            with conn.transaction():
                force_posture.refresh_current(conn, SCHEMA, 0, head, (share, 3))
        written = conn.execute("SELECT count(*) FROM projection.current_posture").fetchone()
        assert pairs is not None and written == pairs
        assert digest(conn, "force_posture") == whole
