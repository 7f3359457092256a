"""Value objects shared by several event types: envelope, time span, estimate, place."""

from datetime import UTC, datetime
from typing import Annotated, Self
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ledger.domain.enums import Classification, EstimateQualifier, PlacePrecision, TimePrecision
from ledger.domain.marking import Marking, check_compartment
from ledger.domain.moments import check_moment, read_moment


def _to_utc(value: datetime) -> datetime:
    return check_moment(value).astimezone(UTC)


def _moment(value: object) -> object:
    """Text read by the ledger's one rule for moments (``ledger.domain.moments``); a
    naive time is left for AwareDatetime to refuse, with the field named."""
    if isinstance(value, int | float):
        raise ValueError("give a time as ISO 8601 text, e.g. 2015-10-01T00:00:00Z, not a number")
    if isinstance(value, str):
        moment = read_moment(value, naive=True)
        return value if moment.tzinfo is None else moment  # naive: pydantic says so
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_moment), AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC; a date alone is the start of that day in
UTC. Naive datetimes are refused: Avro readers would take them as local time and
silently shift them. Numbers are refused too, rather than read as Unix seconds."""

Count = Annotated[int, Field(ge=0, le=2**63 - 1, strict=True)]
"""A whole number of people or things, at most an Avro long; true/false or "12" are
refused, not converted."""

Latitude = Annotated[float, Field(ge=-90, le=90, strict=True)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True)]
"""Degrees (WGS 84); a number, never true/false or text."""

Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s\x00]+$")]
"""A domain id such as ``claim:magnier-2015-01``: non-empty, no whitespace."""

Plain = Annotated[str, Field(pattern=r"^[^\x00]*$")]
"""Any text without NUL characters, which PostgreSQL cannot store."""

Text = Annotated[str, Field(min_length=1, pattern=r"^[^\x00]*$")]
"""Free text that must not be empty."""

Compartment = Annotated[str, Field(max_length=32), AfterValidator(check_compartment)]
"""A compartment of a marking, e.g. ``NOFORN`` (``ledger.domain.marking.COMPARTMENT``)."""


class Value(BaseModel):
    """Base of every model: immutable, and unknown fields are an error, not ignored.

    Text fields use the types below, which refuse NUL characters (U+0000): PostgreSQL
    cannot store one in text, so such an event would be accepted and then break every
    projection that reads it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(Value):
    """Metadata every event carries; ``stream_id`` defaults to the event's own stream."""

    event_id: UUID
    stream_id: Identifier
    recorded_by: Text
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    classification: Classification = Classification.UNCLASSIFIED
    compartments: list[Compartment] = []
    """The compartments of the marking, each once, in order (``ledger.domain.marking``)."""

    @field_validator("compartments")
    @classmethod
    def _each_once_in_order(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @property
    def marking(self) -> Marking:
        """The event's marking: who may see it (``ledger.domain.marking``)."""
        return Marking(self.classification, frozenset(self.compartments))

    @classmethod
    def new(cls, recorded_by: str, stream_id: str, **kwargs: object) -> "Envelope":
        """An envelope with a fresh random event id."""
        return cls.model_validate(
            {"event_id": uuid4(), "stream_id": stream_id, "recorded_by": recorded_by, **kwargs}
        )


class TimeSpan(Value):
    """World time from ``start`` until ``end`` (exclusive; None while open)."""

    start: Timestamp
    end: Timestamp | None = None
    precision: TimePrecision

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


_NEEDS: dict[EstimateQualifier, tuple[str, ...]] = {
    EstimateQualifier.EXACT: ("best",),
    EstimateQualifier.AT_LEAST: ("low",),
    EstimateQualifier.AT_MOST: ("high",),
    EstimateQualifier.APPROX: ("best",),
    EstimateQualifier.RANGE: ("low", "high"),
}
"""Which bounds each qualifier requires."""


class Estimate(Value):
    """A reported quantity; the qualifier says which of low/best/high the text gives.

    Qualifier UNKNOWN with no numbers keeps a strength whose words give no number."""

    low: Count | None = None
    best: Count | None = None
    high: Count | None = None
    qualifier: EstimateQualifier
    unit: Text
    text: Text

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        low, best, high, q = self.low, self.best, self.high, self.qualifier
        if low is None and best is None and high is None:
            if q is EstimateQualifier.UNKNOWN:
                return self  # a strength in words the reader could not put a number on
            raise ValueError(
                "an estimate needs at least one of low, best or high "
                "(or qualifier UNKNOWN, for a strength given only in words)"
            )
        if (
            (low is not None and best is not None and low > best)
            or (best is not None and high is not None and best > high)
            or (low is not None and high is not None and low > high)
        ):
            raise ValueError("low, best and high must be in increasing order")
        missing = [name for name in _NEEDS.get(q, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"qualifier {q} needs {' and '.join(missing)}")
        if q is EstimateQualifier.EXACT and (
            (low is not None and low != best) or (high is not None and high != best)
        ):
            raise ValueError("an EXACT estimate cannot have low or high different from best")
        if q is EstimateQualifier.AT_LEAST and high is not None:
            raise ValueError("an AT_LEAST estimate has no upper bound (high)")
        if q is EstimateQualifier.AT_MOST and low is not None:
            raise ValueError("an AT_MOST estimate has no lower bound (low)")
        return self

    @property
    def bounds(self) -> tuple[int | None, int | None]:
        """The interval the estimate admits (None where open), for comparing reports."""
        low = self.low if self.low is not None else self.best
        high = self.high if self.high is not None else self.best
        if self.qualifier is EstimateQualifier.AT_LEAST:
            high = None
        if self.qualifier is EstimateQualifier.AT_MOST:
            low = None
        return low, high


class PlaceRef(Value):
    """A place as written, optionally resolved to a gazetteer id and coordinates."""

    name: Text
    place_id: Identifier | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    precision: PlacePrecision

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return self
