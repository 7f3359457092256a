"""Fixtures for the HTTP API: the seed example loaded and projected in real PostgreSQL,
the app served in process (httpx via Starlette's TestClient), and a key for each role."""

from collections.abc import Iterator

import pytest

from ledger.config import Settings
from ledger.runtime import open_ledger
from tests.helpers import Api, seed, serving


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
