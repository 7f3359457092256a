"""Which fact row each event contributes to the projection tables.

Facts are taken from the Avro records as stored (resolved to the newest schema): the
ledger validated every event on the way in, and a whole-ledger fold is faster without
building models again.
"""

from typing import Any

from ledger.domain.values import PlaceRef


def place_key(place: PlaceRef | dict[str, Any]) -> str:
    """The gazetteer id when the report resolved its place, else the name as written."""
    if isinstance(place, dict):
        place_id, name = place.get("place_id"), str(place["name"])
    else:
        place_id, name = place.place_id, place.name
    return place_id if place_id else f"name:{name.strip().lower()}"


def fact_row(
    position: int, event_type: str, r: dict[str, Any]
) -> tuple[str, tuple[Any, ...]] | None:
    """(table, row) for an event given as its Avro record, or None if no projection
    keeps it."""
    if event_type == "SourceRegistered":
        return "sources", (
            position,
            r["source_id"],
            r["kind"],
            r["name"],
            r["aliases"],
            r["affiliated_source_id"],
        )
    if event_type == "SourceReliabilityAssessed":
        return "reliability", (
            position,
            r["source_id"],
            r["reliability"],
            r["effective_at"],
            r["rationale"],
        )
    if event_type == "ActorRegistered":
        return "actors", (
            position,
            r["actor_id"],
            r["name"],
            r["kind"],
            r["aliases"],
            r["parent_actor_id"],
            r["member_of"],
        )
    if event_type == "PlaceRegistered":
        return "places", (
            position,
            r["place_id"],
            r["name"],
            r["kind"],
            r["aliases"],
            r["latitude"],
            r["longitude"],
        )
    if event_type == "DocumentIngested":
        return "documents", (
            position,
            r["document_id"],
            r["title"],
            r["outlet_source_id"],
            r["published_at"],
        )
    if event_type == "ClaimAsserted":
        span = r["valid_time"]
        return "claims", (
            position,
            r["claim_id"],
            r["document_id"],
            r["kind"],
            r["statement"],
            span["start"],
            span["end"],
            r["credibility"],
        )
    if event_type == "AttributionMade":
        return "attributions", (
            position,
            r["claim_id"],
            r["source_id"],
            r["via_source_id"],
            r["mode"],
            r["access"],
        )
    if event_type == "ClaimAssessed":
        return "assessments", (
            position,
            r["claim_id"],
            r["related_claim_id"],
            r["relation"],
            r["independence"],
            r["rationale"],
        )
    if event_type == "ClaimRetracted":
        return "retractions", (
            position,
            r["claim_id"],
            r["retracted_by"],
            r["reason"],
            r["superseded_by_claim_id"],
        )
    if event_type == "DeploymentReported":
        s, span = r["strength"], r["valid_time"]
        return "reports", (
            position,
            r["report_id"],
            r["actor_id"],
            place_key(r["place"]),
            r["place"]["name"],
            r["activity"],
            span["start"],
            span["end"],
            r["credibility"],
            s["low"] if s else None,
            s["best"] if s else None,
            s["high"] if s else None,
            s["text"] if s else None,
            r["claim_id"],
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
