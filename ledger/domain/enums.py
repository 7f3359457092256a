"""Enumerations of the event model, mirroring the Avro enums symbol for symbol.

Every enum starts with ``UNKNOWN``: it is the Avro default a reader falls back to when a
newer writer uses a symbol the reader does not know yet. Input may write a symbol in any
case, with spaces or hyphens for its underscores (``present``, ``possibly true``,
``at-least``); what is kept, encoded and shown is always the canonical symbol.
"""

from enum import StrEnum


def _spelling(text: str) -> str:
    return "_".join(text.replace("-", " ").split()).casefold()


class Symbol(StrEnum):
    """An enumeration whose values are read without regard to case or separators and
    always given back canonical (``Symbol("possibly true")`` is ``POSSIBLY_TRUE``)."""

    @classmethod
    def _missing_(cls, value: object) -> "Symbol | None":
        if not isinstance(value, str):
            return None
        wanted = _spelling(value)
        return next((member for member in cls if _spelling(member.value) == wanted), None)


class Classification(Symbol):
    UNKNOWN = "UNKNOWN"
    UNCLASSIFIED = "UNCLASSIFIED"
    RESTRICTED = "RESTRICTED"
    CONFIDENTIAL = "CONFIDENTIAL"
    SECRET = "SECRET"
    TOP_SECRET = "TOP_SECRET"


class TimePrecision(Symbol):
    UNKNOWN = "UNKNOWN"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class EstimateQualifier(Symbol):
    UNKNOWN = "UNKNOWN"
    EXACT = "EXACT"
    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"
    APPROX = "APPROX"
    RANGE = "RANGE"


class PlacePrecision(Symbol):
    UNKNOWN = "UNKNOWN"
    POINT = "POINT"
    SITE = "SITE"
    CITY = "CITY"
    AREA = "AREA"
    REGION = "REGION"
    COUNTRY = "COUNTRY"


class Reliability(Symbol):
    """Admiralty source reliability (A completely reliable ... F cannot be judged)."""

    UNKNOWN = "UNKNOWN"
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(Symbol):
    """Admiralty information credibility; ``number`` gives the 1-6 digit of a grade."""

    UNKNOWN = "UNKNOWN"
    CONFIRMED = "CONFIRMED"
    PROBABLY_TRUE = "PROBABLY_TRUE"
    POSSIBLY_TRUE = "POSSIBLY_TRUE"
    DOUBTFUL = "DOUBTFUL"
    IMPROBABLE = "IMPROBABLE"
    CANNOT_BE_JUDGED = "CANNOT_BE_JUDGED"

    @property
    def number(self) -> int | None:
        """1 (confirmed) to 6 (cannot be judged); None when unknown."""
        return _CREDIBILITY_NUMBER[self]


_CREDIBILITY_NUMBER: dict[Credibility, int | None] = {
    member: (index or None) for index, member in enumerate(Credibility)
}


class SourceKind(Symbol):
    UNKNOWN = "UNKNOWN"
    PERSON = "PERSON"
    OUTLET = "OUTLET"
    OFFICIAL_BODY = "OFFICIAL_BODY"
    ORGANIZATION = "ORGANIZATION"
    ANONYMOUS = "ANONYMOUS"


class ClaimKind(Symbol):
    UNKNOWN = "UNKNOWN"
    DEPLOYMENT = "DEPLOYMENT"
    COMMAND_RELATION = "COMMAND_RELATION"
    INTENT = "INTENT"
    OTHER = "OTHER"


class AttributionMode(Symbol):
    UNKNOWN = "UNKNOWN"
    AUTHOR_ASSERTION = "AUTHOR_ASSERTION"
    DIRECT_QUOTE = "DIRECT_QUOTE"
    PARAPHRASE = "PARAPHRASE"
    ANONYMOUS = "ANONYMOUS"


class SourceAccess(Symbol):
    UNKNOWN = "UNKNOWN"
    FIRST_HAND = "FIRST_HAND"
    SECOND_HAND = "SECOND_HAND"
    NOT_STATED = "NOT_STATED"


class DeploymentActivity(Symbol):
    UNKNOWN = "UNKNOWN"
    PRESENT = "PRESENT"
    ARRIVED = "ARRIVED"
    REINFORCING = "REINFORCING"
    OPERATING = "OPERATING"
    HQ = "HQ"
    WITHDRAWN = "WITHDRAWN"


class ClaimRelation(Symbol):
    UNKNOWN = "UNKNOWN"
    CORROBORATES = "CORROBORATES"
    CONTRADICTS = "CONTRADICTS"
    REFINES = "REFINES"
    DUPLICATES = "DUPLICATES"


class Independence(Symbol):
    UNKNOWN = "UNKNOWN"
    INDEPENDENT = "INDEPENDENT"
    SAME_ORIGIN = "SAME_ORIGIN"


class RetractionKind(Symbol):
    UNKNOWN = "UNKNOWN"
    SOURCE_WITHDREW = "SOURCE_WITHDREW"
    ANALYST_REJECTED = "ANALYST_REJECTED"


class ActorKind(Symbol):
    UNKNOWN = "UNKNOWN"
    STATE = "STATE"
    ARMED_FORCE = "ARMED_FORCE"
    PARAMILITARY = "PARAMILITARY"
    MILITIA = "MILITIA"
    NON_STATE_GROUP = "NON_STATE_GROUP"
    COALITION = "COALITION"
    COMMAND = "COMMAND"
    PERSON = "PERSON"


class PlaceKind(Symbol):
    UNKNOWN = "UNKNOWN"
    COUNTRY = "COUNTRY"
    REGION = "REGION"
    CITY = "CITY"
    TOWN = "TOWN"
    AREA = "AREA"
    SITE = "SITE"
