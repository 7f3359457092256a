"""Information credibility (Admiralty 1-6) and STIX ``confidence`` (0-100), by the table
of STIX 2.1 Appendix A, which "MUST be used" when presenting the Admiralty scale:
1 confirmed 90, 2 probably true 70, 3 possibly true 50, 4 doubtful 30, 5 improbable 10,
6 cannot be judged: no ``confidence`` at all. Read back by the table's ranges (80-100,
60-79, 40-59, 20-39, 0-19). UNKNOWN has no confidence either; our extension keeps the
exact value, so UNKNOWN and 6 stay apart. Source reliability (A-F) has no STIX scale:
it lives in the extension only."""

from ledger.domain.enums import Credibility

_CONFIDENCE = {
    Credibility.CONFIRMED: 90,
    Credibility.PROBABLY_TRUE: 70,
    Credibility.POSSIBLY_TRUE: 50,
    Credibility.DOUBTFUL: 30,
    Credibility.IMPROBABLE: 10,
}


def confidence(credibility: str) -> int | None:
    """The STIX confidence of a credibility, or None where the table says "Not Specified"."""
    return _CONFIDENCE.get(Credibility(credibility))


def credibility(confidence: int | None) -> Credibility:
    """The credibility a STIX confidence stands for (absent: cannot be judged)."""
    if confidence is None:
        return Credibility.CANNOT_BE_JUDGED
    for floor, value in (
        (80, Credibility.CONFIRMED),
        (60, Credibility.PROBABLY_TRUE),
        (40, Credibility.POSSIBLY_TRUE),
        (20, Credibility.DOUBTFUL),
    ):
        if confidence >= floor:
            return value
    return Credibility.IMPROBABLE
