"""Fixtures for the HTTP API: the seed example loaded and projected in real PostgreSQL,
the app served in process (httpx via Starlette's TestClient), and a key for each role."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api import keys
from ledger.api.app import create_app
from ledger.api.keys import Role
from ledger.config import Settings
from ledger.demo import load_seed
from ledger.kafka.config import KafkaSettings
from ledger.projection.fold import PROJECTIONS, fold
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from tests.conftest import _create_database, _drop_database, database_url_for


@dataclass
class Api:
    """A client of the app plus a key per role, and the ledger behind it."""

    client: TestClient
    keys: dict[Role, str]
    ledger: PostgresLedger

    def headers(self, role: Role = Role.ANALYST) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def get(self, path: str, role: Role = Role.ANALYST, **params: Any) -> Any:
        """GET as ``role``; asserts 200 and returns the JSON body."""
        response = self.client.get(path, params=params, headers=self.headers(role))
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any, role: Role = Role.PRODUCER) -> Any:
        return self.client.post(path, json=body, headers=self.headers(role))

    def project(self) -> None:
        """Fold what was appended into the projections (as `ledger project` does)."""
        for name in PROJECTIONS:
            fold(self.ledger, name)


def seed(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)


@contextmanager
def serving(
    url: str, *, auth: bool = True, kafka: KafkaSettings | None = None, pool_timeout: float = 10
) -> Iterator[Api]:
    """The app over the database at ``url``, with a fresh key for every role."""
    settings = Settings(database_url=url, pool_timeout=pool_timeout)
    with open_ledger(settings) as ledger:
        with ledger.connection() as conn:
            made = {role: keys.create(conn, role, f"test {role.value}")[1] for role in Role}
        app = create_app(settings, kafka or KafkaSettings(bootstrap=None), auth=auth)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(client, made, ledger)


@pytest.fixture(scope="module")
def seeded_url(server_url: str, template_db: str) -> Iterator[str]:
    """A database holding the seed example, projected; shared by a module's read tests."""
    name = _create_database(server_url, template_db)
    url = database_url_for(server_url, name)
    with open_ledger(Settings(database_url=url)) as ledger:
        seed(ledger)
    yield url
    _drop_database(server_url, name)


@pytest.fixture(scope="module")
def api(seeded_url: str) -> Iterator[Api]:
    """The API over the seeded database (read-only tests share it)."""
    with serving(seeded_url) as served:
        yield served


@pytest.fixture
def fresh_api(database_url: str) -> Iterator[Api]:
    """The API over a database of its own, seeded, for tests that append."""
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    with serving(database_url) as served:
        yield served
