"""A filled-in example of each event type, and the values every enum field takes: what
``ledger template TYPE`` prints, so nobody has to read the ``.avsc`` files to write one."""

import types
import typing
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from ledger.domain.events import EVENT_TYPES

_SPAN = {"start": "2015-10-01T00:00:00Z", "end": None, "precision": "DAY"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "SourceRegistered": {
        "source_id": "source:example-outlet",
        "kind": "OUTLET",
        "name": "Example Outlet",
        "aliases": ["EO"],
        "description": "A weekly with correspondents in the region.",
        "affiliated_source_id": None,
    },
    "SourceReliabilityAssessed": {
        "source_id": "source:example-outlet",
        "reliability": "B",
        "rationale": "Its reporting has mostly held up.",
        "effective_at": "2015-10-01T00:00:00Z",
    },
    "DocumentIngested": {
        "document_id": "doc:example-2015-10",
        "outlet_source_id": "source:example-outlet",
        "author_source_ids": ["source:example-author"],
        "title": "An example report",
        "published_at": "2015-10-01T08:00:00Z",
        "content_sha256": "0" * 64,
        "language": "en",
        "url": "https://example.org/report",
        "archive_url": None,
    },
    "ClaimAsserted": {
        "claim_id": "claim:example-01",
        "document_id": "doc:example-2015-10",
        "kind": "DEPLOYMENT",
        "statement": "The example brigade has moved into the town.",
        "actor_ids": ["actor:example-brigade"],
        "place_ids": ["place:example-town"],
        "valid_time": _SPAN,
        "credibility": "POSSIBLY_TRUE",
    },
    "AttributionMade": {
        "attribution_id": "attr:example-01-1",
        "claim_id": "claim:example-01",
        "source_id": "source:example-author",
        "via_source_id": "source:example-outlet",
        "document_id": "doc:example-2015-10",
        "mode": "AUTHOR_ASSERTION",
        "access": "NOT_STATED",
        "access_note": None,
    },
    "DeploymentReported": {
        "report_id": "dep:example-01-1",
        "claim_id": "claim:example-01",
        "actor_id": "actor:example-brigade",
        "place": {
            "name": "around the town",
            "place_id": "place:example-town",
            "latitude": None,
            "longitude": None,
            "precision": "AREA",
        },
        "strength": {
            "low": 4000,
            "best": None,
            "high": None,
            "qualifier": "AT_LEAST",
            "unit": "fighters",
            "text": "over 4000",
        },
        "activity": "PRESENT",
        "valid_time": _SPAN,
        "credibility": "POSSIBLY_TRUE",
    },
    "ClaimAssessed": {
        "assessment_id": "assess:example-02-01",
        "claim_id": "claim:example-02",
        "related_claim_id": "claim:example-01",
        "relation": "CORROBORATES",
        "independence": "INDEPENDENT",
        "rationale": "A second outlet reports the same move.",
    },
    "ClaimRetracted": {
        "claim_id": "claim:example-01",
        "retracted_by": "ANALYST_REJECTED",
        "reason": "Imagery shows no such move.",
        "superseded_by_claim_id": None,
    },
    "ActorRegistered": {
        "actor_id": "actor:example-brigade",
        "name": "Example Brigade",
        "kind": "MILITIA",
        "aliases": ["the Brigade"],
        "parent_actor_id": None,
        "member_of": [],
        "country": "SY",
    },
    "PlaceRegistered": {
        "place_id": "place:example-town",
        "name": "Example Town",
        "kind": "TOWN",
        "aliases": [],
        "parent_place_id": None,
        "latitude": 35.6,
        "longitude": 36.4,
    },
    "ProducerKeyRegistered": {
        "producer": "analyst:you",
        "public_key": "REPLACE+WITH+THE+BASE64+KEY+FROM+KEYGEN+xxk=",
        "require_signatures": False,
    },
    "ProducerKeyRevoked": {
        "producer": "analyst:you",
        "key_id": "0123456789abcdef",
        "reason": "The key file was lost.",
    },
    "WitnessKeyRegistered": {
        "witness": "witness.example/w1",
        "verifier_key": "witness.example/w1+7e136b5c+BAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
    },
    "WitnessKeyRevoked": {
        "witness": "witness.example/w1",
        "key_id": "7e136b5c",
        "reason": "The witness's key file was lost.",
    },
}
"""A valid example of every event type (README "Event types" says what each records)."""


def example(event_type: str) -> dict[str, Any]:
    """The JSON Lines form of an example event of ``event_type`` (a placeholder id)."""
    return {
        "type": event_type,
        "envelope": {
            "event_id": "00000000-0000-0000-0000-000000000000",
            "recorded_by": "analyst:you",
            "classification": "UNCLASSIFIED",
        },
        **EXAMPLES[event_type],
    }


def _enums_in(annotation: Any) -> list[type[StrEnum] | type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, StrEnum | BaseModel):
        return [annotation]
    found: list[type[StrEnum] | type[BaseModel]] = []
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found += _enums_in(arg)
    return found


def enum_fields(model: type[BaseModel], prefix: str = "") -> dict[str, list[str]]:
    """Every enum field of ``model`` (nested ones dotted) with the values it takes."""
    fields: dict[str, list[str]] = {}
    for name, info in model.model_fields.items():
        for found in _enums_in(info.annotation):
            if issubclass(found, StrEnum):
                fields[prefix + name] = [member.value for member in found]
            else:
                fields.update(enum_fields(found, f"{prefix}{name}."))
    return fields


def enums_of(event_type: str) -> dict[str, list[str]]:
    return enum_fields(EVENT_TYPES[event_type])
