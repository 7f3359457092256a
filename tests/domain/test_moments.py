"""The one rule for moments every path applies (``ledger.domain.moments``)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ledger.domain.moments import BadMoment, check_moment, read_moment


def test_a_date_alone_is_the_start_of_that_day_in_utc() -> None:
    assert read_moment("2015-09-20") == datetime(2015, 9, 20, tzinfo=UTC)
    assert read_moment(" 2015-09-20 ") == read_moment("2015-09-20T00:00:00Z")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-10-01T03:00:00+03:00", datetime(2015, 10, 1, tzinfo=UTC)),
        ("2015-10-01T00:00:00z", datetime(2015, 10, 1, tzinfo=UTC)),
        ("2015-10-01 12:30:00Z", datetime(2015, 10, 1, 12, 30, tzinfo=UTC)),
        ("2015-10-01T00:00:00+15:59", datetime(2015, 9, 30, 8, 1, tzinfo=UTC)),
        ("2015-10-01T00:00:00-15:59", datetime(2015, 10, 1, 15, 59, tzinfo=UTC)),
    ],
)
def test_times_with_a_timezone_postgresql_takes(text: str, expected: datetime) -> None:
    assert read_moment(text) == expected


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2015-10-01T00:00:00", "has no timezone"),
        ("2015-10-01T00:00:00-23:59", "UTC offset -23:59, which is out of range"),
        ("2015-10-01T00:00:00+16:00", "UTC offset +16:00, which is out of range"),
        ("2015-10-01T00:00:00+24:00", "UTC offset is out of range"),
        ("2015-13-02T00:00:00Z", "month must be in 1..12"),
        ("2015-13-02", "is not a date: month must be in 1..12"),
        ("2015-02-30", "day is out of range for month"),
        ("1443657600", "is not a time"),
        ("yesterday", "is not a time"),
        ("0001-01-01T00:00:00+01:00", "before the year 1"),
        ("9999-12-31T23:00:00-05:00", "after 9999"),
    ],
)
def test_what_is_refused_says_why_in_one_phrase(text: str, said: str) -> None:
    with pytest.raises(BadMoment) as refused:
        read_moment(text)
    message = str(refused.value)
    assert said in message, message
    assert "\n" not in message and "Traceback" not in message


def test_a_naive_time_may_be_left_for_the_caller_to_report() -> None:
    assert read_moment("2015-10-01T00:00:00", naive=True).tzinfo is None


def test_datetimes_are_held_to_the_same_offsets() -> None:
    far = datetime(2015, 10, 1, tzinfo=timezone(timedelta(hours=20)))
    with pytest.raises(BadMoment, match="out of range"):
        check_moment(far)
    near = datetime(2015, 10, 1, tzinfo=timezone(timedelta(hours=14)))
    assert check_moment(near) is near
