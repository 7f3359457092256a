"""Admiralty grades: source reliability letter plus information credibility digit."""

from ledger.domain.enums import Credibility, Reliability


def grade(reliability: Reliability | None, credibility: Credibility) -> str:
    """E.g. ``B2``; an unknown part shows as ``?`` (``?3`` for an ungraded source)."""
    letter = "?" if reliability in (None, Reliability.UNKNOWN) else str(reliability)
    digit = credibility.number
    return f"{letter}{digit if digit is not None else '?'}"
