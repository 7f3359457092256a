"""Database logins (``ledger keys create-db-user``): a login running any SQL it likes,
the clearance settings and SET ROLE included, reads exactly what the clearance its owner
fixed covers, in the ledger's events and markings and in every projection table."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ledger.config import Settings
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.clearances import fold_cleared, schema_for
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.db_logins import create_login
from tests.api.test_need_to_know import ORDER, may_see
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database, ledger_cli
from tests.scenarios import COMPARTMENTS, marked, marked_events
from tests.store.test_row_level_security import LEVELS

ESCAPES = [
    "SET ledger.clearance_rank = '4'",
    "SET ledger.clearance_compartments = '{ALPHA,BRAVO}'",
    "SELECT set_config('ledger.clearance_rank', '5', false),"
    " set_config('ledger.clearance_compartments', '{ALPHA,BRAVO}', false)",
    "SET search_path = pg_temp, ledger, public",
    "SET ROLE ledger_login",
]
"""What a login may run and that must change nothing it reads."""

REFUSED = [
    "SET ROLE ledger_reader",
    "SET ROLE ledger_service",
    "SET ROLE postgres",
    "UPDATE ledger.db_logins SET clearance_rank = 4",
    "INSERT INTO ledger.db_logins VALUES ('someone', 4, '{}')",
    "ALTER TABLE ledger.markings DISABLE ROW LEVEL SECURITY",
    "DROP POLICY markings_login ON ledger.markings",
    "CREATE POLICY mine ON ledger.markings FOR SELECT USING (true)",
    "SELECT count(*) FROM ledger.api_keys",
    "SELECT count(*) FROM ledger.rejected",
]
"""What a login may try and PostgreSQL refuses."""


def _name() -> str:
    return f"bi_{uuid.uuid4().hex[:12]}"


@contextmanager
def _login(server_url: str, url: str, clearance: Clearance) -> Iterator[str]:
    """A login cleared to ``clearance`` (made as the owner); its URL. Dropped after."""
    name = _name()
    with psycopg.connect(url, autocommit=True) as owner:
        password = create_login(owner, name, clearance)
    try:
        yield make_conninfo(url, user=name, password=password)
    finally:
        _drop(server_url, url, name)


def _drop(server_url: str, url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        owner.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _marked_tables() -> list[str]:
    return [f"{t.name}" for p in PROJECTIONS.values() for t in p.tables if t.marked]


def _derived_tables() -> list[str]:
    return [f"{t.name}" for p in PROJECTIONS.values() for t in p.tables if not t.marked]


def _rows(conn: psycopg.Connection[Any], query: str) -> list[tuple[Any, ...]]:
    return sorted(conn.execute(query).fetchall(), key=repr)


def _seen_by_login(login_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the login reads of each table, after trying every escape."""
    with psycopg.connect(login_url, autocommit=True) as conn:
        for statement in REFUSED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        for statement in ESCAPES:
            conn.execute(statement)
        seen = {
            "events": _rows(conn, "SELECT position FROM ledger.events"),
            "markings": _rows(conn, "SELECT position FROM ledger.markings"),
            "db_logins": _rows(conn, "SELECT count(*) FROM ledger.db_logins"),
        }
        for table in _marked_tables():
            seen[table] = _rows(conn, f"SELECT * FROM projection.{table}")
        return seen


def _expected(owner_url: str, clearance: Clearance) -> dict[str, list[tuple[Any, ...]]]:
    """What ``clearance`` covers, read as the owner and filtered here."""
    level, compartments = clearance.level, sorted(clearance.compartments)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        marks = conn.execute("SELECT position, rank, compartments FROM ledger.markings").fetchall()
        visible = [
            (p,) for p, r, c in marks if r <= ORDER.index(level) and set(c) <= set(compartments)
        ]
        expected: dict[str, list[tuple[Any, ...]]] = {
            "events": sorted(visible, key=repr),
            "markings": sorted(visible, key=repr),
            "db_logins": [(1,)],
        }
        for table in _marked_tables():
            rows = conn.execute(
                f"SELECT * FROM projection.{table} WHERE marking_rank <= %s"
                " AND marking_compartments <@ %s::text[]",
                (ORDER.index(level), compartments),
            ).fetchall()
            expected[table] = sorted(rows, key=repr)
        return expected


@settings(
    max_examples=8,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(marked_events(), min_size=1, max_size=30),
    level=st.sampled_from(ORDER),
    compartments=st.lists(st.sampled_from(COMPARTMENTS), unique=True),
)
def test_a_login_reads_exactly_what_its_fixed_clearance_covers(
    server_url: str, template_db: str, batch: list[Event], level: str, compartments: list[str]
) -> None:
    clearance = Clearance.of(level, compartments)
    name = create_database(server_url, template_db)
    url = database_url_for(server_url, name)
    try:
        with open_ledger(Settings(database_url=url)) as ledger:
            appended = ledger.append(batch)
            for projection in PROJECTIONS:
                fold(ledger, projection)
        with _login(server_url, url, clearance) as login_url:
            seen = _seen_by_login(login_url)
        assert seen == _expected(url, clearance)
        wanted = [
            (a.position,)
            for a, e in zip(appended, batch, strict=True)
            if may_see(level, compartments, e)
        ]
        assert seen["events"] == sorted(wanted, key=repr)  # the rule restated, not the SQL
    finally:
        drop_database(server_url, name)


def test_a_login_sees_derived_rows_only_of_a_schema_its_clearance_covers(
    ledger_with_levels: str, server_url: str
) -> None:
    url = ledger_with_levels
    secret = Clearance.of("SECRET")
    with open_ledger(Settings(database_url=url)) as ledger:
        fold_cleared(ledger, [secret])
    schema = schema_for(secret)
    counts: dict[str, list[int]] = {}
    for held in (Clearance.of("SECRET"), Clearance.of("RESTRICTED")):
        with _login(server_url, url, held) as login_url, psycopg.connect(login_url) as conn:
            conn.execute("SELECT set_config('ledger.clearance_rank', '4', false)")
            counts[held.level] = [
                _count(conn, f"{schema}.current_posture"),
                _count(conn, "projection.current_posture"),  # the operator's: never
                _count(conn, f"{schema}.reports"),
            ]
    assert counts == {"SECRET": [3, 0, 3], "RESTRICTED": [0, 0, 2]}
    assert _derived_tables()  # the case above is not empty


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_the_command_makes_a_login_that_psql_would_use(
    ledger_with_levels: str, server_url: str
) -> None:
    url, name = ledger_with_levels, _name()
    made = ledger_cli(
        "keys", "create-db-user", name, "--clearance", "secret", "--compartment", "ALPHA",
        database_url=url,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    try:
        assert f"created database user {name!r} reading as SECRET:ALPHA" in made.stderr
        password = made.stdout.strip()
        with psycopg.connect(make_conninfo(url, user=name, password=password)) as conn:
            conn.execute("RESET ROLE")
            assert _count(conn, "ledger.events") == 8  # UNCLASSIFIED .. SECRET//ALPHA
            assert _count(conn, "projection.reports") == 4
        again = ledger_cli(
            "keys", "create-db-user", name, "--clearance", "SECRET", database_url=url
        )
        assert again.returncode == 1
        assert again.stderr.strip().endswith(f"{name!r} exists already: choose another name")
    finally:
        _drop(server_url, url, name)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Bad-Name", "--clearance", "SECRET"], "lowercase letters, digits and underscores"),
        (["ledger_mine", "--clearance", "SECRET"], "reserved"),
        (["analyst", "--clearance", "COSMIC"], "is not a clearance level"),
        (["analyst", "--clearance", "UNKNOWN"], "is not a clearance level"),
    ],
)
def test_a_bad_login_is_refused_in_one_sentence(
    database_url: str, args: list[str], says: str
) -> None:
    result = ledger_cli("keys", "create-db-user", *args, database_url=database_url)
    assert result.returncode == 1, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr


def test_the_login_table_is_the_owners_alone(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as owner:
        with pytest.raises(LedgerError, match="reserved"):
            create_login(owner, "pg_mine", Clearance.of("SECRET"))
        row = owner.execute(
            "SELECT has_table_privilege('ledger_service', 'ledger.db_logins', 'INSERT'),"
            " has_table_privilege('ledger_reader', 'ledger.db_logins', 'SELECT'),"
            " pg_has_role('ledger_login', 'ledger_reader', 'MEMBER')"
        ).fetchone()
    assert row == (False, False, False)


@pytest.fixture
def ledger_with_levels(database_url: str) -> str:
    """The row-level security test's ledger: one report under each marking, folded."""
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
    return database_url


def test_a_login_of_one_ledger_reads_nothing_of_another(
    ledger_with_levels: str, server_url: str, template_db: str
) -> None:
    """Roles belong to the whole server, clearances to one ledger's database: in a
    ledger that did not make it, a login has no row, so it sees no event."""
    other = create_database(server_url, template_db)
    other_url = database_url_for(server_url, other)
    try:
        with open_ledger(Settings(database_url=other_url)) as ledger:
            ledger.append([make("SourceRegistered", source_id="source:open")])
        with _login(server_url, ledger_with_levels, Clearance.of("TOP_SECRET")) as login_url:
            elsewhere = make_conninfo(login_url, dbname=other)
            with psycopg.connect(elsewhere) as conn:
                assert _count(conn, "ledger.events") == 0
                assert _count(conn, "ledger.db_logins") == 0
            with psycopg.connect(login_url) as conn:
                assert _count(conn, "ledger.events") == 8  # not SECRET//ALPHA nor UNKNOWN
    finally:
        drop_database(server_url, other)
