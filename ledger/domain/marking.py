"""Need-to-know: the marking every event carries and the clearance every reader holds.

Rules:

1. A marking is a classification level and a set of compartments. Levels are ordered
   UNCLASSIFIED < RESTRICTED < CONFIDENTIAL < SECRET < TOP_SECRET; UNKNOWN (a level this
   code does not know, e.g. one added by a later schema) counts as above TOP_SECRET, so
   it fails closed: no reader's clearance covers it.
2. A clearance is a level and a set of compartments. It *sees* an event when its level is
   at least the event's and it holds every one of the event's compartments.
3. The operator holding the database sees everything (``OPERATOR``, UNKNOWN included);
   a clearance given without compartments holds none; one given with no level at all is
   UNCLASSIFIED (least privilege).
4. An answer is marked with the highest level and the union of the compartments of the
   events it rests on (``highest``), so whoever copies it knows how to mark the copy.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ledger.domain.enums import Classification

LEVELS: tuple[Classification, ...] = (
    Classification.UNCLASSIFIED,
    Classification.RESTRICTED,
    Classification.CONFIDENTIAL,
    Classification.SECRET,
    Classification.TOP_SECRET,
    Classification.UNKNOWN,
)
"""Every level, lowest first; UNKNOWN last so it fails closed."""

RANK: dict[Classification, int] = {level: rank for rank, level in enumerate(LEVELS)}
"""A level's place in the order (UNCLASSIFIED 0 ... TOP_SECRET 4, UNKNOWN 5)."""

OPERATOR_RANK = len(LEVELS)
"""A rank above every level: what the operator's clearance holds."""

COMPARTMENT = re.compile(r"^[A-Z][A-Z0-9_-]{0,31}$")
"""A compartment name: capitals, digits, ``_`` and ``-``, at most 32 characters."""


def check_compartment(name: str) -> str:
    """The compartment name, or ValueError saying what a name must look like."""
    if not COMPARTMENT.match(name):
        raise ValueError(
            f"{name[:40]!r} is not a compartment name: use 1 to 32 capitals, digits, "
            "'_' or '-', starting with a capital (e.g. NOFORN)"
        )
    return name


_RANK_OF_NAME: dict[str, int] = {level.value: rank for level, rank in RANK.items()}


def rank_of(level: Classification | str) -> int:
    """The rank of a level; a name this code does not know ranks as UNKNOWN. (A level
    is a string enum, equal to its name: no enum is built per event.)"""
    return _RANK_OF_NAME.get(level, RANK[Classification.UNKNOWN])


@dataclass(frozen=True, order=True)
class Marking:
    """The level and compartments of an event, or of an answer resting on events."""

    level: Classification = Classification.UNCLASSIFIED
    compartments: frozenset[str] = frozenset()

    @property
    def rank(self) -> int:
        return rank_of(self.level)

    def text(self) -> str:
        """``SECRET`` or ``SECRET//ALPHA/BRAVO``: the banner form."""
        if not self.compartments:
            return str(self.level)
        return f"{self.level}//{'/'.join(sorted(self.compartments))}"

    def to_json(self) -> dict[str, object]:
        return {"level": str(self.level), "compartments": sorted(self.compartments)}


LOWEST = Marking()
"""The marking of an answer that rests on no events."""


def highest(markings: Iterable[Marking]) -> Marking:
    """The marking of an answer resting on events with these markings (rule 4)."""
    rank = 0
    compartments: set[str] = set()
    for marking in markings:
        rank = max(rank, marking.rank)
        compartments |= marking.compartments
    return Marking(LEVELS[rank], frozenset(compartments))


@dataclass(frozen=True)
class Clearance:
    """What a reader may see (rule 2). ``rank`` above every level is the operator."""

    rank: int = 0
    compartments: frozenset[str] = frozenset()

    @classmethod
    def of(cls, level: Classification | str, compartments: Iterable[str] = ()) -> "Clearance":
        """A reader's clearance; ValueError names a level or compartment that is not one."""
        try:
            known = Classification(level)
        except ValueError:
            known = None
        if known is None or known is Classification.UNKNOWN:
            names = ", ".join(str(level) for level in LEVELS[:-1])
            raise ValueError(f"{str(level)[:40]!r} is not a clearance level: use one of {names}")
        return cls(RANK[known], frozenset(check_compartment(c) for c in compartments))

    @classmethod
    def parse(cls, text: str) -> "Clearance":
        """``LEVEL`` or ``LEVEL:COMPARTMENT,COMPARTMENT`` (the LEDGER_CLEARANCE form)."""
        level, _, rest = text.strip().partition(":")
        return cls.of(level.strip().upper(), [c.strip() for c in rest.split(",") if c.strip()])

    @property
    def is_operator(self) -> bool:
        return self.rank >= OPERATOR_RANK

    @property
    def level(self) -> str:
        return "OPERATOR" if self.is_operator else str(LEVELS[self.rank])

    def sees(self, marking: Marking) -> bool:
        """Whether a reader with this clearance may see an event with ``marking``."""
        if self.is_operator:
            return True
        return marking.rank <= self.rank and marking.compartments <= self.compartments

    def text(self) -> str:
        if not self.compartments:
            return self.level
        return f"{self.level}:{','.join(sorted(self.compartments))}"

    def to_json(self) -> dict[str, object]:
        return {"level": self.level, "compartments": sorted(self.compartments)}

    @property
    def label(self) -> str:
        """A short stable name for this clearance (it names its projection schema)."""
        digest = hashlib.sha256(self.text().encode()).hexdigest()[:12]
        return f"{self.level.lower()}_{digest}"


OPERATOR = Clearance(OPERATOR_RANK)
"""The operator holding the database: sees every event, UNKNOWN markings included."""

PUBLIC = Clearance()
"""UNCLASSIFIED and no compartments: what a key made without a clearance holds."""
