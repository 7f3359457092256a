"""Moments in query parameters: a date alone is the start of that day in UTC; a naive
time or an offset PostgreSQL would refuse is a 422 naming the parameter, in the ledger's
words, never the database's."""

import pytest

from ledger.web.keys import Role
from tests.helpers import Api


def test_a_date_alone_reads_as_the_start_of_that_day_in_utc(api: Api) -> None:
    dated = api.get("/posture", valid_at="2015-10-02")
    timed = api.get("/posture", valid_at="2015-10-02T00:00:00Z")
    assert dated["items"] == timed["items"] and dated["items"]
    assert dated["read_at"]["valid_at"] == "2015-10-02T00:00:00Z"
    assert api.get("/claims", as_of="2999-01-01")["items"] == api.get("/claims")["items"]


@pytest.mark.parametrize(
    ("parameter", "value", "said"),
    [
        ("valid_at", "2015-10-01T00:00:00-23:59", "UTC offset -23:59, which is out of range"),
        ("as_of", "2015-10-01T00:00:00+16:00", "UTC offset +16:00, which is out of range"),
        ("valid_at", "2015-10-01T00:00:00", "has no timezone"),
        ("as_of", "2015-13-02", "month must be in 1..12"),
    ],
)
def test_refused_moments_name_the_parameter_and_never_quote_the_database(
    api: Api, parameter: str, value: str, said: str
) -> None:
    response = api.client.get(
        "/posture", params={parameter: value}, headers=api.headers(Role.ANALYST)
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"][0]["field"] == f"query.{parameter}"
    assert body["detail"].startswith(f"query.{parameter}: ") and said in body["detail"]
    assert "displacement" not in response.text and "timestamp" not in response.text


def test_the_openapi_says_how_moments_are_read(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    (valid_at,) = [
        p for p in spec["paths"]["/posture"]["get"]["parameters"] if p["name"] == "valid_at"
    ]
    assert (
        "a date alone (2015-10-02), which is the start of that day in UTC"
        in (valid_at["description"])
    )
    formats = {s.get("format") for s in valid_at["schema"]["anyOf"] for s in s.get("anyOf", [s])}
    assert {"date-time", "date"} <= formats
