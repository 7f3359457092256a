"""Times given on the command line (the read service turns them into positions)."""

from datetime import datetime

from ledger.domain.moments import BadMoment, read_moment
from ledger.errors import LedgerError

MOMENT_HELP = (
    "An ISO 8601 time with a timezone (2015-10-01T00:00:00Z, 2015-10-01T03:00:00+03:00)"
    " or a date alone, which is the start of that day in UTC."
)
"""How every TIME option reads its value (said in each option's help)."""


def given_time(text: str | None, flag: str) -> datetime | None:
    """The time an option gives (a date alone is the start of that day in UTC), timezone
    required; None when not given."""
    if text is None:
        return None
    try:
        return read_moment(text)
    except BadMoment as exc:
        raise LedgerError(f"{flag} {text!r} {exc}") from None
