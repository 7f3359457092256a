"""How events look in tables and JSON: one short line per event, or the full record."""

import json
from datetime import datetime
from typing import Any

from ledger.domain.events import (
    ActorRegistered,
    AttributionMade,
    ClaimAsserted,
    ClaimAssessed,
    ClaimRetracted,
    DeploymentReported,
    DocumentIngested,
    Event,
    PlaceRegistered,
    ProducerKeyRegistered,
    ProducerKeyRevoked,
    SourceRegistered,
    SourceReliabilityAssessed,
)
from ledger.domain.values import Estimate
from ledger.records import RecordedEvent


def counted(number: int, noun: str) -> str:
    """``1 event``, ``2 events``, ``1,000 events``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def reading(low: int | None, high: int | None) -> str:
    """Bounds as a person reads them: '4000', '200-300', '>= 4000', '<= 500'."""
    if low is not None and high is not None:
        return f"{low}" if low == high else f"{low}-{high}"
    if low is not None:
        return f">= {low}"
    if high is not None:
        return f"<= {high}"
    return "?"


def strength(estimate: Estimate | None) -> str:
    """An estimate as written, with its numeric reading: 'over 4000 (>= 4000 fighters)'."""
    if estimate is None:
        return "-"
    return f"{estimate.text} ({reading(*estimate.bounds)} {estimate.unit})"


def summary(event: Event) -> str:  # noqa: C901 (one case per event type)
    """One line saying what the event records."""
    match event:
        case SourceRegistered():
            return f"{event.source_id}: {event.kind} {event.name!r}"
        case SourceReliabilityAssessed():
            return f"{event.source_id} graded {event.reliability}"
        case DocumentIngested():
            return f"{event.document_id}: {event.title!r}"
        case ClaimAsserted():
            return f"{event.claim_id} [{event.kind}] {event.statement}"
        case AttributionMade():
            via = f" via {event.via_source_id}" if event.via_source_id else ""
            return f"{event.claim_id} said by {event.source_id}{via} ({event.mode})"
        case DeploymentReported():
            return (
                f"{event.actor_id} {event.activity} at {event.place.name}: "
                f"{strength(event.strength)}"
            )
        case ClaimAssessed():
            return (
                f"{event.claim_id} {event.relation} {event.related_claim_id} ({event.independence})"
            )
        case ClaimRetracted():
            return f"{event.claim_id} retracted ({event.retracted_by}): {event.reason}"
        case ActorRegistered():
            return f"{event.actor_id}: {event.kind} {event.name!r}"
        case PlaceRegistered():
            return f"{event.place_id}: {event.kind} {event.name!r}"
        case ProducerKeyRegistered():
            policy = ", signatures required" if event.require_signatures else ""
            return f"{event.producer}: key {event.key_id} registered{policy}"
        case ProducerKeyRevoked():
            return f"{event.producer}: key {event.key_id} revoked: {event.reason}"
    return event.event_type()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def json_line(recorded: RecordedEvent) -> str:
    """A recorded event as one JSON line: ledger columns, then the event as decoded."""
    document: dict[str, Any] = {
        "position": recorded.position,
        "type": recorded.event_type,
        "stream_id": recorded.stream_id,
        "recorded_at": recorded.recorded_at,
        "hash": recorded.hash.hex(),
        "event": recorded.event.model_dump(mode="json"),
    }
    if recorded.origin is not None:
        document["kafka"] = {
            "topic": recorded.origin.topic,
            "partition": recorded.origin.partition,
            "offset": recorded.origin.offset,
        }
    return json.dumps(document, default=_default, ensure_ascii=False)
