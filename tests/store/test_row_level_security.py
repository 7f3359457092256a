"""Below the application: a raw SELECT as the reader role sees only what its clearance
covers, in the ledger's events and markings and in the projection tables, and nothing
above UNCLASSIFIED when no clearance is set (it fails closed)."""

from collections.abc import Iterator

import psycopg
import pytest

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.clearances import fold_cleared, schema_for
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from tests.factories import make
from tests.scenarios import marked

LEVELS = [
    (Classification.UNCLASSIFIED, []),
    (Classification.RESTRICTED, []),
    (Classification.SECRET, []),
    (Classification.SECRET, ["ALPHA"]),
    (Classification.TOP_SECRET, []),
    (Classification.UNKNOWN, []),
]
"""One deployment report (and its claim) under each marking, in this order."""


@pytest.fixture
def ledger(database_url: str) -> Iterator[PostgresLedger]:
    with open_ledger(Settings(database_url=database_url)) as opened:
        batch = []
        for i, (level, compartments) in enumerate(LEVELS):
            batch.append(marked(make("ClaimAsserted", claim_id=f"claim:c{i}"), level, compartments))
            batch.append(
                marked(
                    make("DeploymentReported", claim_id=f"claim:c{i}", actor_id=f"actor:a{i}"),
                    level,
                    compartments,
                )
            )
        opened.append(batch)
        for name in PROJECTIONS:
            fold(opened, name)
        yield opened


def _reader(database_url: str, clearance: Clearance | None) -> psycopg.Connection[tuple[int]]:
    conn = psycopg.connect(database_url)
    conn.execute("SET ROLE ledger_reader")
    if clearance is not None:
        conn.execute(
            "SELECT set_config('ledger.clearance_rank', %s, false),"
            " set_config('ledger.clearance_compartments', %s, false)",
            (str(clearance.rank), "{" + ",".join(sorted(clearance.compartments)) + "}"),
        )
    return conn


def _count(conn: psycopg.Connection[tuple[int]], table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("clearance", "seen"),
    [
        (None, 1),  # no clearance set: UNCLASSIFIED only
        (Clearance.of("UNCLASSIFIED"), 1),
        (Clearance.of("RESTRICTED"), 2),
        (Clearance.of("SECRET"), 3),
        (Clearance.of("SECRET", ["ALPHA"]), 4),
        (Clearance.of("TOP_SECRET"), 4),  # not SECRET//ALPHA without ALPHA
        (Clearance.of("TOP_SECRET", ["ALPHA"]), 5),  # never UNKNOWN
    ],
)
def test_a_raw_select_as_reader_sees_only_what_its_clearance_covers(
    ledger: PostgresLedger, database_url: str, clearance: Clearance | None, seen: int
) -> None:
    with _reader(database_url, clearance) as conn:
        assert _count(conn, "ledger.events") == 2 * seen
        assert _count(conn, "ledger.markings") == 2 * seen
        assert _count(conn, "projection.reports") == seen
        assert _count(conn, "projection.claims") == seen
        # the operator's derived rows rest on anything: no reader sees them
        assert _count(conn, "projection.current_posture") == 0
        hidden = conn.execute(
            "SELECT count(*) FROM ledger.events WHERE event_type = 'DeploymentReported'"
            " AND stream_id LIKE %s",
            ("%a5%",),
        ).fetchone()
        assert hidden == (0,)


def test_a_reader_sees_the_derived_rows_of_its_own_clearance_and_not_above(
    ledger: PostgresLedger, database_url: str
) -> None:
    secret = Clearance.of("SECRET")
    fold_cleared(ledger, [secret])
    schema = schema_for(secret)
    with _reader(database_url, secret) as conn:
        assert _count(conn, f"{schema}.current_posture") == 3
        assert _count(conn, f"{schema}.reports") == 3
    with _reader(database_url, Clearance.of("RESTRICTED")) as conn:
        assert _count(conn, f"{schema}.current_posture") == 0
        assert _count(conn, f"{schema}.reports") == 2  # its own rows: marked RESTRICTED or below


def test_the_reader_role_cannot_write_markings_nor_read_keys(
    ledger: PostgresLedger, database_url: str
) -> None:
    with _reader(database_url, None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO ledger.markings VALUES (1, 0, '{}')")
    with _reader(database_url, None) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM ledger.api_keys WHERE false AND key_hash IS NULL")


def test_a_reader_reads_neither_rejected_payloads_nor_kafka_repeats(
    ledger: PostgresLedger, database_url: str
) -> None:
    """Raw rejected inputs carry no marking a policy could check, and the repeats name
    the positions of events of any marking: the reader role reads neither (the service
    reads them as itself, for auditors)."""
    for table in ("rejected", "kafka_duplicates", "workbench_sessions", "server_secrets"):
        with _reader(database_url, Clearance.of("TOP_SECRET", ["ALPHA", "BRAVO"])) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM ledger.{table}")
    with _reader(database_url, None) as conn:
        assert conn.execute("SELECT count(*) FROM ledger.kafka_offsets").fetchone() == (0,)
