"""Valid example events of every type, for tests to vary one field at a time."""

import uuid
from typing import Any

from ledger.domain.events import EVENT_TYPES, Event

_TEMPLATES: dict[str, dict[str, Any]] = {
    "SourceRegistered": {
        "source_id": "source:test-outlet",
        "kind": "OUTLET",
        "name": "Test Outlet",
        "aliases": ["TO"],
    },
    "SourceReliabilityAssessed": {
        "source_id": "source:test-outlet",
        "reliability": "B",
        "rationale": "long record of accurate reporting",
        "effective_at": "2015-09-01T00:00:00Z",
    },
    "DocumentIngested": {
        "document_id": "doc:test",
        "outlet_source_id": "source:test-outlet",
        "author_source_ids": ["source:test-author"],
        "title": "A test report",
        "published_at": "2015-10-01T08:00:00+03:00",
        "content_sha256": "ab" * 32,
        "language": "en",
        "url": "https://example.org/report",
    },
    "ClaimAsserted": {
        "claim_id": "claim:test-1",
        "document_id": "doc:test",
        "kind": "DEPLOYMENT",
        "statement": "A militia has moved several thousand fighters near a town.",
        "actor_ids": ["actor:militia"],
        "place_ids": ["place:town"],
        "valid_time": {"start": "2015-10-01T00:00:00Z", "precision": "DAY"},
        "credibility": "POSSIBLY_TRUE",
    },
    "AttributionMade": {
        "attribution_id": "attr:test-1",
        "claim_id": "claim:test-1",
        "source_id": "source:anonymous",
        "via_source_id": "source:test-author",
        "document_id": "doc:test",
        "mode": "DIRECT_QUOTE",
        "access": "NOT_STATED",
    },
    "DeploymentReported": {
        "report_id": "dep:test-1",
        "claim_id": "claim:test-1",
        "actor_id": "actor:militia",
        "place": {
            "name": "around the town",
            "place_id": "place:town",
            "latitude": 35.6,
            "longitude": 36.37,
            "precision": "AREA",
        },
        "strength": {
            "low": 4000,
            "qualifier": "AT_LEAST",
            "unit": "fighters",
            "text": "over 4000",
        },
        "activity": "PRESENT",
        "valid_time": {"start": "2015-10-01T00:00:00Z", "precision": "WEEK"},
        "credibility": "POSSIBLY_TRUE",
    },
    "ClaimAssessed": {
        "assessment_id": "assess:test-1",
        "claim_id": "claim:test-2",
        "related_claim_id": "claim:test-1",
        "relation": "CORROBORATES",
        "independence": "INDEPENDENT",
        "rationale": "a second outlet reports the same movement",
    },
    "ClaimRetracted": {
        "claim_id": "claim:test-1",
        "retracted_by": "ANALYST_REJECTED",
        "reason": "satellite imagery shows no such movement",
    },
    "ActorRegistered": {
        "actor_id": "actor:militia",
        "name": "Test Militia",
        "kind": "MILITIA",
        "aliases": ["TM"],
        "member_of": ["actor:coalition"],
        "country": "IQ",
    },
    "PlaceRegistered": {
        "place_id": "place:town",
        "name": "Town",
        "kind": "TOWN",
        "aliases": ["Al-Town"],
        "parent_place_id": "place:country",
        "latitude": 35.6,
        "longitude": 36.37,
    },
    "ProducerKeyRegistered": {
        "producer": "test",
        "public_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    },
    "ProducerKeyRevoked": {
        "producer": "test",
        "key_id": "630dcd2966c43366",
        "reason": "the key file was lost",
    },
    "WitnessKeyRegistered": {
        "witness": "witness.example/w1",
        "verifier_key": "witness.example/w1+7e136b5c+BAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
    },
    "WitnessKeyRevoked": {
        "witness": "witness.example/w1",
        "key_id": "7e136b5c",
        "reason": "the witness's key file was lost",
    },
}


def event_data(event_type: str, **overrides: Any) -> dict[str, Any]:
    """The JSON form of a valid event (with a fresh id), fields overridden."""
    data: dict[str, Any] = {
        "envelope": {"event_id": str(uuid.uuid4()), "recorded_by": "test"},
        **_TEMPLATES[event_type],
    }
    data.update(overrides)
    return data


def make(event_type: str, **overrides: Any) -> Event:
    """A valid event of ``event_type`` with a fresh id, fields overridden."""
    return EVENT_TYPES[event_type].model_validate(event_data(event_type, **overrides))


def json_line(event_type: str, **overrides: Any) -> dict[str, Any]:
    """The JSON Lines form accepted by ``ledger append``."""
    return {"type": event_type, **event_data(event_type, **overrides)}


ALL_TYPES = list(EVENT_TYPES)


def template_world() -> list[Event]:
    """Registrations of every actor, place, source and document the templates name, in an
    order the reference checks accept: what a ledger holds before the templates' claims,
    reports and hops resolve."""
    sources = [
        make("SourceRegistered", source_id=s, name=s, aliases=[])
        for s in ("source:test-outlet", "source:test-author", "source:anonymous")
    ]
    return [
        *sources,
        make("ActorRegistered", actor_id="actor:coalition", name="Coalition", member_of=[]),
        make("ActorRegistered"),
        make("PlaceRegistered", place_id="place:country", name="Country", parent_place_id=None),
        make("PlaceRegistered"),
        make("DocumentIngested"),
    ]


def claim_by(producer: str, **overrides: Any) -> Event:
    """A claim recorded by ``producer`` (``envelope.recorded_by``), with a fresh id."""
    envelope = {"event_id": str(uuid.uuid4()), "recorded_by": producer}
    return make("ClaimAsserted", envelope=envelope, **overrides)


def key_registered(public_key: str, producer: str, *, required: bool = False) -> Event:
    """An administrator registers ``producer``'s key (base64), maybe requiring signatures."""
    return make(
        "ProducerKeyRegistered",
        envelope={"event_id": str(uuid.uuid4()), "recorded_by": "admin"},
        producer=producer,
        public_key=public_key,
        require_signatures=required,
    )


def key_revoked(key_id: str, producer: str) -> Event:
    """An administrator revokes ``producer``'s key ``key_id``."""
    return make(
        "ProducerKeyRevoked",
        envelope={"event_id": str(uuid.uuid4()), "recorded_by": "admin"},
        producer=producer,
        key_id=key_id,
    )


def witness_registered(verifier_key: str) -> Event:
    """An administrator registers a witness's key (``NAME+KEYID+BASE64``)."""
    return EVENT_TYPES["WitnessKeyRegistered"].model_validate(
        {
            "envelope": {"event_id": str(uuid.uuid4()), "recorded_by": "admin"},
            "witness": verifier_key.split("+")[0],
            "verifier_key": verifier_key,
        }
    )
