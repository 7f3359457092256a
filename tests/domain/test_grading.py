"""Admiralty grades from reliability and credibility."""

import pytest

from ledger.domain.enums import Credibility, Reliability
from ledger.domain.grading import grade


@pytest.mark.parametrize(
    ("reliability", "credibility", "expected"),
    [
        (Reliability.A, Credibility.CONFIRMED, "A1"),
        (Reliability.B, Credibility.PROBABLY_TRUE, "B2"),
        (Reliability.F, Credibility.CANNOT_BE_JUDGED, "F6"),
        (Reliability.UNKNOWN, Credibility.POSSIBLY_TRUE, "?3"),
        (None, Credibility.DOUBTFUL, "?4"),
        (Reliability.C, Credibility.UNKNOWN, "C?"),
    ],
)
def test_grade(reliability: Reliability | None, credibility: Credibility, expected: str) -> None:
    assert grade(reliability, credibility) == expected
