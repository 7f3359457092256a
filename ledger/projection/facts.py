"""Which fact row each event contributes to the projection tables."""

from typing import Any

from ledger.domain.events import (
    ActorRegistered,
    AttributionMade,
    ClaimAsserted,
    ClaimAssessed,
    ClaimRetracted,
    DeploymentReported,
    DocumentIngested,
    PlaceRegistered,
    SourceRegistered,
    SourceReliabilityAssessed,
)
from ledger.domain.values import PlaceRef
from ledger.records import RecordedEvent


def place_key(place: PlaceRef) -> str:
    """The gazetteer id when the report resolved its place, else the name as written."""
    return place.place_id if place.place_id else f"name:{place.name.strip().lower()}"


def fact_row(recorded: RecordedEvent) -> tuple[str, tuple[Any, ...]] | None:
    """(table, row) for the event, or None if no projection keeps it."""
    e, p = recorded.event, recorded.position
    match e:
        case SourceRegistered():
            return "sources", (
                p,
                e.source_id,
                e.kind.value,
                e.name,
                e.aliases,
                e.affiliated_source_id,
            )
        case SourceReliabilityAssessed():
            return "reliability", (p, e.source_id, e.reliability.value, e.effective_at, e.rationale)
        case ActorRegistered():
            return "actors", (
                p,
                e.actor_id,
                e.name,
                e.kind.value,
                e.aliases,
                e.parent_actor_id,
                e.member_of,
            )
        case PlaceRegistered():
            return "places", (
                p,
                e.place_id,
                e.name,
                e.kind.value,
                e.aliases,
                e.latitude,
                e.longitude,
            )
        case DocumentIngested():
            return "documents", (p, e.document_id, e.title, e.outlet_source_id, e.published_at)
        case ClaimAsserted():
            return "claims", (
                p,
                e.claim_id,
                e.document_id,
                e.kind.value,
                e.statement,
                e.valid_time.start,
                e.valid_time.end,
                e.credibility.value,
            )
        case AttributionMade():
            return "attributions", (
                p,
                e.claim_id,
                e.source_id,
                e.via_source_id,
                e.mode.value,
                e.access.value,
            )
        case ClaimAssessed():
            return "assessments", (
                p,
                e.claim_id,
                e.related_claim_id,
                e.relation.value,
                e.independence.value,
                e.rationale,
            )
        case ClaimRetracted():
            return "retractions", (
                p,
                e.claim_id,
                e.retracted_by.value,
                e.reason,
                e.superseded_by_claim_id,
            )
        case DeploymentReported():
            s = e.strength
            return "reports", (
                p,
                e.report_id,
                e.actor_id,
                place_key(e.place),
                e.place.name,
                e.activity.value,
                e.valid_time.start,
                e.valid_time.end,
                e.credibility.value,
                s.low if s else None,
                s.best if s else None,
                s.high if s else None,
                s.text if s else None,
                e.claim_id,
            )
    return None


COLUMNS: dict[str, tuple[str, ...]] = {
    "sources": ("position", "source_id", "kind", "name", "aliases", "affiliated_source_id"),
    "reliability": ("position", "source_id", "reliability", "effective_at", "rationale"),
    "actors": ("position", "actor_id", "name", "kind", "aliases", "parent_actor_id", "member_of"),
    "places": ("position", "place_id", "name", "kind", "aliases", "latitude", "longitude"),
    "documents": ("position", "document_id", "title", "outlet_source_id", "published_at"),
    "claims": (
        "position",
        "claim_id",
        "document_id",
        "kind",
        "statement",
        "valid_from",
        "valid_to",
        "credibility",
    ),
    "attributions": ("position", "claim_id", "source_id", "via_source_id", "mode", "access"),
    "assessments": (
        "position",
        "claim_id",
        "related_claim_id",
        "relation",
        "independence",
        "rationale",
    ),
    "retractions": ("position", "claim_id", "retracted_by", "reason", "superseded_by_claim_id"),
    "reports": (
        "position",
        "report_id",
        "actor_id",
        "place_key",
        "place_name",
        "activity",
        "valid_from",
        "valid_to",
        "credibility",
        "low",
        "best",
        "high",
        "strength_text",
        "claim_id",
    ),
}
