"""No database text reaches a client: a refusal PostgreSQL makes for a reason of its own
is answered in the ledger's words (and logged for the operators), whichever path it took
(a read through the store, or a lookup on the event loop)."""

from collections.abc import Iterator

import psycopg
import pytest

from ledger.config import Settings
from ledger.runtime import open_ledger
from tests.helpers import Api, seed, serving

SECRET = "internal-detail-7f3a"
"""Text only the database holds: it must not show in any answer."""


@pytest.fixture
def operator_api(database_url: str) -> Iterator[Api]:
    """A seeded ledger served without keys (reads as the operator, from the projections
    `ledger project` folds), in a database of its own this test may damage."""
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    with serving(database_url, auth=False) as served:
        yield served


def test_a_refusal_on_a_read_is_answered_without_the_databases_text(
    operator_api: Api, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'ALTER TABLE projection.claims RENAME COLUMN statement TO "{SECRET}"')
    response = operator_api.client.get("/claims/claim:seed-05")
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "statement" not in response.text and "column" not in response.text
    assert response.json()["detail"] == (
        "the server failed on this request; it is logged for the operators"
    )
    assert any("statement" in record.getMessage() for record in caplog.records)


def test_a_data_exception_from_a_lookup_is_a_400_in_the_ledgers_words(
    operator_api: Api, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE OR REPLACE FUNCTION ledger.position_at(p_moment timestamptz) RETURNS bigint"
            " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = '22008',"
            f" MESSAGE = '{SECRET}: date/time field value out of range'; END $$"
        )
    response = operator_api.client.get("/posture", params={"as_of": "2015-10-02T00:00:00Z"})
    assert response.status_code == 400, response.text
    assert SECRET not in response.text and "date/time" not in response.text
    assert "outside what the database accepts" in response.json()["detail"]
