"""STIX timestamps: always UTC with a literal ``Z``; ours always carry microseconds, so
the same instant is always the same text (section 2.16.1 asks milliseconds at least
for ``created`` and ``modified``; more digits are allowed)."""

import re
from datetime import UTC, datetime, timedelta

_ZERO = timedelta(0)
_STIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")


def stamp(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` of an aware datetime."""
    if moment.utcoffset() != _ZERO:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_stamp(text: object) -> datetime | None:
    """The instant a STIX timestamp names (digits past microseconds dropped), or None if
    ``text`` is not one."""
    if not isinstance(text, str):
        return None
    match = _STIX.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros, UTC
        )
    except ValueError:  # 2015-02-30, 25:00, second 60 (Python has no leap seconds)
        return None
