"""Times given on the command line (the read service turns them into positions)."""

from datetime import datetime

from ledger.errors import LedgerError


def given_time(text: str | None, flag: str) -> datetime | None:
    """The time an option gives, timezone required; None when not given."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LedgerError(
            f"{flag} {text!r}: give an ISO time such as 2015-10-01T00:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise LedgerError(f"{flag} {text!r} has no timezone; add Z or an offset like +03:00")
    return moment
