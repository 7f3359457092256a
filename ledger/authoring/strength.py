"""Strength as a report writes it ("over 4000", "about 2,000", "thousands") read into an
estimate, through a fixed table of phrases. A phrase outside the table keeps its text
with qualifier UNKNOWN and no numbers: the ledger records what was said, not a guess.

The table (N and M are whole numbers, with or without thousands commas):

| phrase                                              | qualifier | numbers           |
| --------------------------------------------------- | --------- | ----------------- |
| over N, more than N, at least N, N+, N or more      | AT_LEAST  | low N             |
| about N, around N, approximately N, roughly N, some N, ~N | APPROX | best N        |
| up to N, no more than N, at most N, fewer than N, less than N, under N | AT_MOST | high N |
| between N and M, N to M, N-M                        | RANGE     | low N, high M     |
| N                                                   | EXACT     | best N            |
| dozens                                              | AT_LEAST  | low 24            |
| hundreds                                            | AT_LEAST  | low 200           |
| thousands                                           | AT_LEAST  | low 2000          |
| tens of thousands                                   | AT_LEAST  | low 20000         |

Case and surrounding spaces do not matter; the text is kept exactly as written.
"""

import re
from dataclasses import dataclass

from ledger.domain.enums import EstimateQualifier

_N = r"(\d{1,3}(?:,\d{3})+|\d+)"

_NUMBERED: list[tuple[str, EstimateQualifier, tuple[str, ...]]] = [
    (
        rf"(?:over|more than|at least) {_N}|{_N} ?\+|{_N} or more",
        EstimateQualifier.AT_LEAST,
        ("low",),
    ),
    (
        rf"(?:about|around|approximately|roughly|some) {_N}|~ ?{_N}",
        EstimateQualifier.APPROX,
        ("best",),
    ),
    (
        rf"(?:up to|no more than|at most|fewer than|less than|under) {_N}",
        EstimateQualifier.AT_MOST,
        ("high",),
    ),
    (
        rf"between {_N} and {_N}|{_N} (?:to|-) ?{_N}|{_N}-{_N}",
        EstimateQualifier.RANGE,
        ("low", "high"),
    ),
    (_N, EstimateQualifier.EXACT, ("best",)),
]

_WORDS: dict[str, int] = {
    "dozens": 24,
    "hundreds": 200,
    "thousands": 2000,
    "tens of thousands": 20000,
}

_COMPILED = [(re.compile(rf"^(?:{p})$"), q, names) for p, q, names in _NUMBERED]


@dataclass(frozen=True)
class Strength:
    """An estimate's numbers and qualifier, read from ``text`` (kept as written)."""

    text: str
    qualifier: EstimateQualifier
    low: int | None = None
    best: int | None = None
    high: int | None = None


def parse_strength(text: str) -> Strength:
    """The estimate the table gives for ``text``; UNKNOWN with no numbers if none does."""
    phrase = " ".join(text.casefold().split())
    if phrase in _WORDS:
        return Strength(text, EstimateQualifier.AT_LEAST, low=_WORDS[phrase])
    for pattern, qualifier, names in _COMPILED:
        match = pattern.match(phrase)
        if match is None:
            continue
        numbers = [int(g.replace(",", "")) for g in match.groups() if g is not None]
        values = dict(zip(names, numbers, strict=True))
        if qualifier is EstimateQualifier.RANGE and values["low"] > values["high"]:
            break
        return Strength(text, qualifier, **values)
    return Strength(text, EstimateQualifier.UNKNOWN)
