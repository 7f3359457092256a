"""The report format of ``ledger record``: one document, its claims with their chain of
reported speech, and the deployments they report with strength as written. YAML or JSON;
names stand for actors, places and sources (an id, a name or an alias), and no event,
report or attribution id is written by hand. ``examples/seed-article.report.yaml`` is a
full example; README "Recording a report" documents every field.
"""

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from ledger.domain.enums import (
    ActorKind,
    AttributionMode,
    ClaimKind,
    ClaimRelation,
    Credibility,
    DeploymentActivity,
    Independence,
    PlaceKind,
    PlacePrecision,
    Reliability,
    SourceAccess,
    SourceKind,
    TimePrecision,
)
from ledger.domain.moments import read_moment


def _moment(value: Any) -> Any:
    """A report's times by the ledger's one rule (``ledger.domain.moments``): a naive
    time is refused here, naming the report's own field, not the event's it becomes."""
    return read_moment(value) if isinstance(value, str) else value


Moment = Annotated[AwareDatetime, BeforeValidator(_moment)]
"""An ISO 8601 time with a timezone, or a date alone (the start of that day in UTC)."""


class Part(BaseModel):
    """Base of every part of a report: unknown keys are errors (a typo is not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(Part):
    """A source's reliability from a moment on, with the reason."""

    grade: Reliability
    rationale: str
    effective: Moment


class SourceEntry(Part):
    """A source the report registers (when the ledger does not hold it yet)."""

    id: str
    kind: SourceKind
    name: str
    aliases: list[str] = []
    description: str | None = None
    affiliated: str | None = Field(default=None, description="Name or id of a source.")
    reliability: Grade | None = None


class ActorEntry(Part):
    id: str
    name: str
    kind: ActorKind
    aliases: list[str] = []
    parent: str | None = None
    member_of: list[str] = []
    country: str | None = None


class PlaceEntry(Part):
    id: str
    name: str
    kind: PlaceKind
    aliases: list[str] = []
    parent: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Document(Part):
    """The document the claims are taken from."""

    id: str
    title: str
    outlet: str = Field(description="Name, alias or id of the outlet (a source).")
    authors: list[str] = []
    published: Moment | None = None
    language: str = "en"
    url: str | None = None
    content_sha256: str | None = Field(
        default=None, description="SHA-256 of the document; by default, of its id, title and url."
    )


class Span(Part):
    start: Moment
    end: Moment | None = None
    precision: TimePrecision = TimePrecision.DAY


class Hop(Part):
    """One hop of reported speech: ``said_by`` said it, relayed by ``via``."""

    said_by: str
    via: str | None = None
    mode: AttributionMode = AttributionMode.AUTHOR_ASSERTION
    access: SourceAccess = SourceAccess.NOT_STATED
    note: str | None = None


class Place(Part):
    """A place as the report writes it; ``id`` is a name, alias or id in the gazetteer."""

    name: str
    id: str | None = None
    precision: PlacePrecision = PlacePrecision.AREA
    latitude: float | None = None
    longitude: float | None = None


class Deployment(Part):
    """An actor at a place; strength as written, read through the phrase table."""

    actor: str
    place: Place | str
    strength: str | None = None
    unit: str = "fighters"
    activity: DeploymentActivity = DeploymentActivity.PRESENT
    valid: Span | None = Field(default=None, description="Defaults to the claim's.")
    credibility: Credibility | None = Field(default=None, description="Defaults to the claim's.")


class Claim(Part):
    id: str | None = Field(default=None, description="Defaults to <document id>-<number>.")
    kind: ClaimKind
    statement: str
    actors: list[str] = []
    places: list[str] = []
    valid: Span
    credibility: Credibility
    chain: list[Hop] = Field(min_length=1, description="Original speaker first.")
    deployments: list[Deployment] = []


class Assessment(Part):
    claim: str
    related: str
    relation: ClaimRelation
    independence: Independence
    rationale: str


class Report(Part):
    """One document with everything taken from it."""

    recorded_by: str
    document: Document
    sources: list[SourceEntry] = []
    actors: list[ActorEntry] = []
    places: list[PlaceEntry] = []
    claims: list[Claim] = []
    assessments: list[Assessment] = []
