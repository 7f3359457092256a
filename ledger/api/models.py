"""The shapes of the HTTP answers, as the OpenAPI document describes them.

Every read answer carries ``read_at``: the ledger position it was read at and the cursor
of the projection it came from, so any answer can be replayed (``as_of``) and traced.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ledger.domain.claim_status import ClaimStatus
from ledger.domain.enums import Reliability
from ledger.domain.posture import PostureStatus


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class ReadAt(Model):
    """Where in the ledger an answer was read."""

    position: int = Field(description="Ledger position the answer rests on: events 1..position.")
    projection_cursor: int = Field(
        description="How far the projections read had folded the ledger (the least of them)."
    )
    projections: dict[str, int] = Field(description="The cursor of each projection read.")
    as_of: datetime | None = Field(description="Record time asked for, if any.")
    valid_at: datetime | None = Field(default=None, description="World time asked for, if any.")
    behind_by: int | None = Field(
        default=None,
        description="Events the ledger holds beyond the projections read (null when none).",
    )
    at_least: int | None = Field(
        default=None,
        description="The position asked for with `at_least`, if any. The answer includes it "
        "when `projection_cursor` reached it; when not, the wait (LEDGER_READ_WAIT) ran out "
        "first and `behind_by` says how far the projections are behind.",
    )


class PostureItem(Model):
    actor_id: str
    place_key: str = Field(description="Gazetteer id of the place, or name:<as written>.")
    place: str = Field(
        description="The place's registered (gazetteer) name; as the report wrote it when "
        "the place is not registered."
    )
    place_reported: str | None = Field(
        default=None,
        description="How the winning report worded the place (e.g. 'the Syria capital'), "
        "where that differs from `place`.",
    )
    status: PostureStatus
    activity: str
    strength: str | None = Field(description="The strength as the source wrote it.")
    low: int | None
    best: int | None
    high: int | None
    valid_from: datetime
    valid_to: datetime | None
    grade: str = Field(description="Source reliability letter and information credibility digit.")
    report_position: int = Field(description="Ledger position of the report that sets the row.")
    supporting: list[int]
    contradicting: list[int]
    positions: list[int] = Field(description="Every report position the row rests on.")
    effective_to: datetime | None = Field(
        default=None, description="Where the winner's span ends once later reports count."
    )
    claim_id: str | None = Field(default=None, description="The claim of the winning report.")
    age_days: int = Field(default=0, description="World time asked about minus the winner's start.")
    stale: bool = Field(default=False, description="Older than `stale_after` days.")
    actor: str | None = Field(default=None, description="The actor's registered name.")
    latitude: float | None = Field(default=None, description="The place's registered latitude.")
    longitude: float | None = Field(default=None, description="The place's registered longitude.")


class GazetteerItem(Model):
    """One registered actor or place: names, hierarchy, coordinates, reports naming it."""

    id: str
    kind: str
    name: str
    aliases: list[str]
    parent_id: str | None = Field(description="The parent unit or place, if registered.")
    member_of: list[str] = Field(description="Coalitions the actor belongs to.")
    latitude: float | None
    longitude: float | None
    position: int = Field(description="Ledger position of its registration.")
    reports: int = Field(description="Deployment reports naming it, as known at the position.")


class GazetteerPage(Model):
    read_at: ReadAt
    items: list[GazetteerItem]


class GazetteerDetail(Model):
    read_at: ReadAt
    entry: GazetteerItem


class PosturePage(Model):
    read_at: ReadAt
    items: list[PostureItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


class TimelineStep(Model):
    position: int = Field(description="The report after which this posture held.")
    rows: list[PostureItem]


class Timeline(Model):
    read_at: ReadAt
    actor_id: str | None
    place_key: str | None
    steps: list[TimelineStep]
    next_cursor: str | None


class ClaimItem(Model):
    claim_id: str
    position: int = Field(description="Ledger position of the claim's assertion.")
    document_id: str
    kind: str
    statement: str
    valid_from: datetime
    valid_to: datetime | None
    credibility: str
    status: ClaimStatus
    origin: str | None = Field(description="The original speaker: innermost source of the chain.")


class ClaimsPage(Model):
    read_at: ReadAt
    items: list[ClaimItem]
    next_cursor: str | None


class Hop(Model):
    position: int
    source_id: str
    via_source_id: str | None
    mode: str
    access: str
    reliability: Reliability | None = Field(description="The source's grade at the position read.")


class ClaimEvent(Model):
    position: int
    event_type: str
    summary: str


class Assessment(Model):
    position: int
    relation: str
    other_claim_id: str
    outgoing: bool = Field(description="True when this claim is the one assessed.")
    independence: str
    other_origin: str | None = Field(description="The other claim's original speaker.")
    counts: bool | None = Field(description="Corroborations: whether it counts; else null.")
    why: str = Field(description="Corroborations: why it counts or not.")
    rationale: str = Field(description="The analyst's rationale as recorded.")


class ClaimDetail(Model):
    read_at: ReadAt
    claim_id: str
    position: int | None = Field(description="Assertion position; null if only referenced.")
    statement: str | None
    status: ClaimStatus | None
    origin: str | None
    chain: list[Hop] = Field(description="Attribution hops from the original speaker outwards.")
    events: list[ClaimEvent]
    independent_corroborations: int
    assessments: list[Assessment] = Field(
        default_factory=list,
        description="Corroborations (whether each counts, and why not), contradictions,"
        " duplicates and refinements, each with the analyst's rationale.",
    )
    positions: list[int] = Field(description="Every ledger position this answer rests on.")


class Grading(Model):
    position: int
    reliability: Reliability
    effective_at: datetime
    rationale: str


class SourceItem(Model):
    source_id: str
    position: int
    name: str
    kind: str
    aliases: list[str]
    affiliated_source_id: str | None
    reliability: Reliability | None
    history: list[Grading]


class SourcesPage(Model):
    read_at: ReadAt
    items: list[SourceItem]
    next_cursor: str | None


class SourceDetail(Model):
    read_at: ReadAt
    source: SourceItem


class DocumentItem(Model):
    document_id: str
    position: int
    title: str
    outlet_source_id: str
    published_at: datetime | None
    claim_ids: list[str]


class DocumentsPage(Model):
    read_at: ReadAt
    items: list[DocumentItem]
    next_cursor: str | None


class DocumentDetail(Model):
    read_at: ReadAt
    document: DocumentItem
    claims: list[ClaimItem]


class KafkaOrigin(Model):
    topic: str
    partition: int
    offset: int


class EventItem(Model):
    position: int
    event_id: UUID
    event_type: str
    stream_id: str
    recorded_at: datetime
    valid_from: datetime | None
    valid_to: datetime | None
    hash: str = Field(description="Hex SHA-256 chaining this event to the one before.")
    prev_hash: str
    kafka: KafkaOrigin | None
    signature: str | None = Field(
        default=None,
        description="The producer's signature, base64 (key id, then Ed25519 over the event's "
        "bytes); null when the event was not signed.",
    )
    body: dict[str, Any] = Field(description="The event as written, decoded to JSON.")


class EventsPage(Model):
    head: int = Field(description="The ledger's last position when the page was read.")
    items: list[EventItem]
    next_after: int | None = Field(description="Pass as `after` for more; null when caught up.")


class Receipt(Model):
    event_id: UUID
    position: int | None = Field(description="Ledger position (direct appends).")
    appended: bool | None = Field(description="False when the same event was already held.")
    topic: str | None = Field(description="Kafka topic (appends via Kafka).")
    partition: int | None
    offset: int | None


class AppendResult(Model):
    transport: Literal["direct", "kafka"]
    receipts: list[Receipt]


class StixTypeReport(Model):
    mapped: int = Field(description="Objects of this type mapped to events.")
    known: int = Field(description="Objects whose every event the ledger already holds.")
    not_mapped: dict[str, int] = Field(
        description="Objects the ledger has no event for, counted by the reason."
    )


class StixImportResult(Model):
    """What a STIX import did: per type what it mapped, and a receipt per new event."""

    events: int = Field(description="Events the bundle stands for that the ledger lacked.")
    appended: int = Field(description="Of those, how many this request appended.")
    types: dict[str, StixTypeReport]
    notes: list[str] = Field(description="What the import did that the caller should know.")
    transport: Literal["direct", "kafka"]
    receipts: list[Receipt]


class ProjectionState(Model):
    name: str
    cursor: int = Field(description="The newest event the key sees that it has folded.")
    lag: int = Field(description="Events the key sees that it has not folded yet.")


class Health(Model):
    """Liveness alone: what a caller without a key is told."""

    status: Literal["ok"]


class HealthDetail(Health):
    """Liveness and progress, as the key's clearance sees the ledger."""

    head: int = Field(description="Position of the newest event the key's clearance sees.")
    head_hash: str = Field(description="That event's hash (hex); 64 zeros when there is none.")
    head_recorded_at: datetime | None = Field(description="That event's record time.")
    projections: list[ProjectionState]


class FieldProblem(Model):
    field: str = Field(
        description="Where: e.g. query.limit, body, or body.events[2].envelope.event_id."
    )
    message: str
    suggestions: list[str] | None = Field(
        default=None,
        description="For an unknown name: the closest registered names.",
        exclude_if=lambda value: value is None,
    )
    candidates: list[str] | None = Field(
        default=None,
        description="For an ambiguous name: the ids it could mean.",
        exclude_if=lambda value: value is None,
    )


class Problem(Model):
    """An RFC 9457 problem detail; the body of every error answer."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
