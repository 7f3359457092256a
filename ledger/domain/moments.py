"""Moments as people write them, read by one rule on every path (command line, HTTP
query, JSON Lines, YAML reports): an ISO 8601 time with a timezone, or a date alone,
which stands for the start of that day in UTC.

A time without a timezone is refused (Avro readers and PostgreSQL would each take it as
some local time), and so is a UTC offset PostgreSQL cannot hold (16 hours or more) or a
time that leaves the years 1-9999 once put in UTC, with a phrase saying why.
"""

import re
from datetime import UTC, date, datetime, timedelta

MAX_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
"""The largest UTC offset PostgreSQL accepts in a time (its limit is under 16 hours)."""

DATE_ALONE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

EXAMPLE = "2015-10-01T00:00:00Z"
HOW = f"give an ISO 8601 time with a timezone, such as {EXAMPLE}, or a date such as 2015-10-01"


class BadMoment(ValueError):
    """Text or a datetime that is not a moment the ledger takes; the message says why."""


def read_moment(text: str, *, naive: bool = False) -> datetime:
    """The moment ``text`` names: a date alone is the start of that day in UTC. A time
    without a timezone is refused, or with ``naive`` returned as it is (a caller that
    reports naive times itself); BadMoment otherwise says what is wrong."""
    given = text.strip()
    if DATE_ALONE.match(given):
        try:
            day = date.fromisoformat(given)
        except ValueError as exc:
            raise BadMoment(f"is not a date: {exc}; {HOW}") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if not _ISO.match(given):
        raise BadMoment(f"is not a time; {HOW}")
    if given[-1:] in ("Z", "z"):
        given = given[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(given)
    except ValueError as exc:
        raise BadMoment(f"is not a time: {_reason(exc)}; {HOW}") from None
    if moment.tzinfo is None:
        if naive:
            return moment
        raise BadMoment(
            "has no timezone; add Z or an offset such as +03:00, or give a date alone "
            "for the start of that day in UTC"
        )
    return check_moment(moment)


def check_moment(moment: datetime) -> datetime:
    """``moment`` itself if its offset and its UTC form are in range, else BadMoment."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise BadMoment(
            f"has the UTC offset {_offset(offset)}, which is out of range: offsets run "
            "from -15:59 to +15:59"
        )
    try:
        moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past the year 9999 in UTC
        raise BadMoment(
            "is out of range: in UTC it falls before the year 1 or after 9999"
        ) from None
    return moment


def _offset(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _reason(exc: ValueError) -> str:
    """Python's reason (``month must be in 1..12``), without its echo of the input."""
    text = str(exc)
    if text.startswith("offset must be"):
        return "its UTC offset is out of range (offsets run from -15:59 to +15:59)"
    return "not in the ISO 8601 form" if text.startswith("Invalid isoformat") else text
