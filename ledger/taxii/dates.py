"""TAXII timestamps as whole microseconds since the epoch: what ``date_added`` is
compared, ordered and paged by, and the text it is shown as."""

from datetime import UTC, datetime, timedelta

from ledger.stix.times import parse_stamp, stamp

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch (exact, no float)."""
    return (moment - _EPOCH) // _MICRO


def parsed(text: object) -> int | None:
    """A TAXII (STIX) timestamp as microseconds, or None if ``text`` is not one."""
    moment = parse_stamp(text)
    return None if moment is None else micros(moment)


def shown(value: int) -> str:
    """Microseconds as a TAXII timestamp, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return stamp(_EPOCH + timedelta(microseconds=value))


EPOCH = 0
"""What the date-added headers of an empty page of an empty collection say."""
