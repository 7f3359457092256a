"""The time controls read moments by the ledger's rule (naive ones as UTC, as the page's
inputs say), and what they cannot read is a problem shown on the page, never a 500."""

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request

from ledger.workbench.controls import TimeControls


def _controls(**query: str) -> TimeControls:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": urlencode(query).encode(),
        "headers": [],
    }
    return TimeControls.of(Request(scope))


def test_dates_and_naive_times_are_utc() -> None:
    read = _controls(as_of="2015-10-01", valid_at="2015-10-02T06:00:00")
    assert read.as_of == datetime(2015, 10, 1, tzinfo=UTC)
    assert read.valid_at == datetime(2015, 10, 2, 6, tzinfo=UTC)
    assert read.problems == ()
    assert _controls(at_least="12").at_least == 12


def test_what_cannot_be_read_is_a_problem_on_the_page() -> None:
    read = _controls(
        as_of="0001-01-01T00:00:00+01:00", valid_at="2015-10-01T00:00:00-23:59", at_least="x"
    )
    assert (read.as_of, read.valid_at, read.at_least) == (None, None, None)
    said = " ".join(read.problems)
    assert "before the year 1" in said and "UTC offset -23:59" in said
    assert "at_least: 'x' is not a ledger position" in said
