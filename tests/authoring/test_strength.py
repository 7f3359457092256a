"""Every phrase of the strength table, and what falls outside it."""

import pytest

from ledger.authoring.strength import Strength, parse_strength
from ledger.domain.enums import EstimateQualifier as Q


@pytest.mark.parametrize(
    ("text", "qualifier", "low", "best", "high"),
    [
        ("over 4000", Q.AT_LEAST, 4000, None, None),
        ("more than 4,000", Q.AT_LEAST, 4000, None, None),
        ("at least 300", Q.AT_LEAST, 300, None, None),
        ("300+", Q.AT_LEAST, 300, None, None),
        ("300 or more", Q.AT_LEAST, 300, None, None),
        ("about 2,000", Q.APPROX, None, 2000, None),
        ("around 2000", Q.APPROX, None, 2000, None),
        ("approximately 150", Q.APPROX, None, 150, None),
        ("roughly 150", Q.APPROX, None, 150, None),
        ("some 150", Q.APPROX, None, 150, None),
        ("~150", Q.APPROX, None, 150, None),
        ("up to 500", Q.AT_MOST, None, None, 500),
        ("no more than 500", Q.AT_MOST, None, None, 500),
        ("at most 500", Q.AT_MOST, None, None, 500),
        ("fewer than 500", Q.AT_MOST, None, None, 500),
        ("less than 500", Q.AT_MOST, None, None, 500),
        ("under 500", Q.AT_MOST, None, None, 500),
        ("between 300 and 400", Q.RANGE, 300, None, 400),
        ("300 to 400", Q.RANGE, 300, None, 400),
        ("300-400", Q.RANGE, 300, None, 400),
        ("1,200", Q.EXACT, None, 1200, None),
        ("1200", Q.EXACT, None, 1200, None),
        ("dozens", Q.AT_LEAST, 24, None, None),
        ("hundreds", Q.AT_LEAST, 200, None, None),
        ("thousands", Q.AT_LEAST, 2000, None, None),
        ("tens of thousands", Q.AT_LEAST, 20000, None, None),
        ("  Over   4000 ", Q.AT_LEAST, 4000, None, None),
    ],
)
def test_each_phrase_of_the_table(
    text: str, qualifier: Q, low: int | None, best: int | None, high: int | None
) -> None:
    assert parse_strength(text) == Strength(text, qualifier, low, best, high)


@pytest.mark.parametrize("text", ["a battalion", "several thousand", "400 to 300", "12,00", ""])
def test_a_phrase_outside_the_table_keeps_its_text_and_no_numbers(text: str) -> None:
    assert parse_strength(text) == Strength(text, Q.UNKNOWN)
