"""The event types of the ledger, one pydantic model each, mirroring ``schemas/events``.

Events are facts about what sources said and what analysts concluded; they are never
edited. The stream of an event (its Kafka key and aggregate) defaults to the subject it
is about, e.g. ``claim:<claim_id>`` for everything that happens to one claim.
"""

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Any, ClassVar, Self

from pydantic import model_validator

from ledger.domain.enums import (
    ActorKind,
    AttributionMode,
    ClaimKind,
    ClaimRelation,
    Credibility,
    DeploymentActivity,
    Independence,
    PlaceKind,
    Reliability,
    RetractionKind,
    SourceAccess,
    SourceKind,
)
from ledger.domain.note_key import COSIGNATURE_V1, parse_verifier_key
from ledger.domain.values import (
    Envelope,
    Estimate,
    Identifier,
    Latitude,
    Longitude,
    PlaceRef,
    Plain,
    Text,
    TimeSpan,
    Timestamp,
    Value,
)


class Event(Value):
    """Base of every event: an envelope plus the fields of its type.

    Subclasses name the field their stream is keyed on (``_stream_key``) and its prefix
    (``_stream_prefix``); a producer may leave ``envelope.stream_id`` out and get that.
    """

    _stream_prefix: ClassVar[str]
    _stream_key: ClassVar[str]

    envelope: Envelope

    @classmethod
    def event_type(cls) -> str:
        """The event type name, equal to the Avro record name."""
        return cls.__name__

    @classmethod
    def default_stream(cls, data: dict[str, Any]) -> str | None:
        """``<prefix>:<subject id>``, or the id itself when it already has the prefix."""
        key = data.get(cls._stream_key)
        if not isinstance(key, str) or not key:
            return None
        prefix = f"{cls._stream_prefix}:"
        return key if key.startswith(prefix) else prefix + key

    @model_validator(mode="before")
    @classmethod
    def _fill_stream(cls, data: Any) -> Any:
        if isinstance(data, dict):
            envelope = data.get("envelope")
            if isinstance(envelope, dict) and envelope.get("stream_id") is None:
                stream = cls.default_stream(data)
                if stream is not None:
                    data = {**data, "envelope": {**envelope, "stream_id": stream}}
        return data

    def valid_span(self) -> tuple[datetime | None, datetime | None]:
        """The world time the event speaks of, as (from, until); (None, None) if none."""
        return None, None


class SourceRegistered(Event):
    """A source enters the register (person, outlet, official body, anonymous source)."""

    _stream_prefix = "source"
    _stream_key = "source_id"

    source_id: Identifier
    kind: SourceKind
    name: Text
    aliases: list[Text] = []
    description: Plain | None = None
    affiliated_source_id: Identifier | None = None


class SourceReliabilityAssessed(Event):
    """A source is graded A-F from ``effective_at``; re-grading is a new event."""

    _stream_prefix = "source"
    _stream_key = "source_id"

    source_id: Identifier
    reliability: Reliability
    rationale: Text
    effective_at: Timestamp

    def valid_span(self) -> tuple[datetime | None, datetime | None]:
        return self.effective_at, None


class DocumentIngested(Event):
    """An article or report, identified by the SHA-256 of its content."""

    _stream_prefix = "doc"
    _stream_key = "document_id"

    document_id: Identifier
    outlet_source_id: Identifier
    author_source_ids: list[Identifier] = []
    title: Text
    published_at: Timestamp | None = None
    content_sha256: Plain
    language: Text
    url: Plain | None = None
    archive_url: Plain | None = None

    @model_validator(mode="after")
    def _hash_is_hex(self) -> Self:
        digest = self.content_sha256
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("content_sha256 must be 64 lower-case hex digits")
        return self

    def valid_span(self) -> tuple[datetime | None, datetime | None]:
        return self.published_at, None


class ClaimAsserted(Event):
    """One paraphrased statement from a document, about a span of world time."""

    _stream_prefix = "claim"
    _stream_key = "claim_id"

    claim_id: Identifier
    document_id: Identifier
    kind: ClaimKind
    statement: Text
    actor_ids: list[Identifier] = []
    place_ids: list[Identifier] = []
    valid_time: TimeSpan
    credibility: Credibility

    def valid_span(self) -> tuple[datetime | None, datetime | None]:
        return self.valid_time.start, self.valid_time.end


class AttributionMade(Event):
    """One hop of reported speech: ``source_id`` said the claim, relayed by ``via_source_id``."""

    _stream_prefix = "claim"
    _stream_key = "claim_id"

    attribution_id: Identifier
    claim_id: Identifier
    source_id: Identifier
    via_source_id: Identifier | None = None
    document_id: Identifier | None = None
    mode: AttributionMode
    access: SourceAccess
    access_note: Plain | None = None

    @model_validator(mode="after")
    def _not_self_relayed(self) -> Self:
        if self.via_source_id == self.source_id:
            raise ValueError("a source cannot relay its own words (via_source_id == source_id)")
        return self


class DeploymentReported(Event):
    """An actor reported at a place, with strength as written and what it is doing."""

    _stream_prefix = "actor"
    _stream_key = "actor_id"

    report_id: Identifier
    claim_id: Identifier | None = None
    actor_id: Identifier
    place: PlaceRef
    strength: Estimate | None = None
    activity: DeploymentActivity
    valid_time: TimeSpan
    credibility: Credibility

    def valid_span(self) -> tuple[datetime | None, datetime | None]:
        return self.valid_time.start, self.valid_time.end


class ClaimAssessed(Event):
    """An analyst's judgement relating a claim to another one."""

    _stream_prefix = "claim"
    _stream_key = "claim_id"

    assessment_id: Identifier
    claim_id: Identifier
    related_claim_id: Identifier
    relation: ClaimRelation
    independence: Independence
    rationale: Text

    @model_validator(mode="after")
    def _two_claims(self) -> Self:
        if self.claim_id == self.related_claim_id:
            raise ValueError("a claim cannot be assessed against itself")
        return self


class ClaimRetracted(Event):
    """A claim withdrawn by its source or rejected by an analyst."""

    _stream_prefix = "claim"
    _stream_key = "claim_id"

    claim_id: Identifier
    retracted_by: RetractionKind
    reason: Text
    superseded_by_claim_id: Identifier | None = None


class ActorRegistered(Event):
    """Gazetteer entry for an actor, with aliases and coalition memberships."""

    _stream_prefix = "actor"
    _stream_key = "actor_id"

    actor_id: Identifier
    name: Text
    kind: ActorKind
    aliases: list[Text] = []
    parent_actor_id: Identifier | None = None
    member_of: list[Identifier] = []
    country: Plain | None = None


class PlaceRegistered(Event):
    """Gazetteer entry for a place, with aliases, parent and coordinates."""

    _stream_prefix = "place"
    _stream_key = "place_id"

    place_id: Identifier
    name: Text
    kind: PlaceKind
    aliases: list[Text] = []
    parent_place_id: Identifier | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class ProducerKeyRegistered(Event):
    """A producer's Ed25519 public key: events it records (``envelope.recorded_by``) may
    be signed with it until it is revoked. With ``require_signatures`` the ledger refuses
    the producer's unsigned events from then on (no later registration lifts that)."""

    _stream_prefix = "producer"
    _stream_key = "producer"

    producer: Text
    public_key: Plain
    """The raw 32-byte Ed25519 public key, base64."""
    require_signatures: bool = False

    @model_validator(mode="after")
    def _is_ed25519_key(self) -> Self:
        if public_key_bytes(self.public_key) is None:
            raise ValueError("public_key must be a raw 32-byte Ed25519 public key in base64")
        return self

    @property
    def key_id(self) -> str:
        """The key's id: the first 8 bytes of SHA-256 of the raw key, in hex."""
        raw = public_key_bytes(self.public_key)
        assert raw is not None  # checked when the event was built
        return producer_key_id(raw)


class ProducerKeyRevoked(Event):
    """A producer's key is revoked: events signed with it after this are refused."""

    _stream_prefix = "producer"
    _stream_key = "producer"

    producer: Text
    key_id: Plain
    reason: Text

    @model_validator(mode="after")
    def _is_key_id(self) -> Self:
        if len(self.key_id) != 16 or any(c not in "0123456789abcdef" for c in self.key_id):
            raise ValueError("key_id must be 16 lower-case hex digits (`ledger producers list`)")
        return self


class WitnessKeyRegistered(Event):
    """A witness's cosigning key: the ledger keeps a cosignature of its checkpoints only
    when it verifies with a registered key, not revoked, over that exact checkpoint.
    Always UNCLASSIFIED: the cosignatures it admits are served to every reader."""

    _stream_prefix = "witness"
    _stream_key = "witness"

    witness: Text
    verifier_key: Plain
    """``NAME+KEYID+BASE64``: type 0x04 (tlog cosignature) and the Ed25519 public key."""

    @model_validator(mode="after")
    def _is_witness_key(self) -> Self:
        name, key_type, _ = parse_verifier_key(self.verifier_key)
        if key_type != COSIGNATURE_V1:
            raise ValueError(
                "verifier_key is a note signing key (type 0x01); a witness cosigns with a "
                "tlog-cosignature key (type 0x04: `ledger witness --public-key` prints it)"
            )
        if name != self.witness:
            raise ValueError(f"verifier_key names {name!r}, not the witness {self.witness!r}")
        _unclassified(self)
        return self

    @property
    def key_id(self) -> str:
        """The key's id, 8 hex digits (as in ``NAME+KEYID+BASE64``)."""
        return self.verifier_key.strip().split("+")[1].lower()


class WitnessKeyRevoked(Event):
    """A witness's key is revoked: its cosignatures are no longer kept nor served."""

    _stream_prefix = "witness"
    _stream_key = "witness"

    witness: Text
    key_id: Plain
    reason: Text

    @model_validator(mode="after")
    def _is_key_id(self) -> Self:
        if len(self.key_id) != 8 or any(c not in "0123456789abcdef" for c in self.key_id):
            raise ValueError("key_id must be 8 lower-case hex digits (`ledger witnesses list`)")
        _unclassified(self)
        return self


def _unclassified(event: Event) -> None:
    """Witness keys decide what every reader is served: their events are open to all."""
    if event.envelope.classification != "UNCLASSIFIED" or event.envelope.compartments:
        raise ValueError(
            f"a {event.event_type()} is UNCLASSIFIED with no compartments (the cosignatures "
            "it admits are served to every reader)"
        )


def public_key_bytes(text: str) -> bytes | None:
    """The 32 raw bytes of a base64 Ed25519 public key, or None if it is not one."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    return raw if len(raw) == 32 and base64.b64encode(raw).decode() == text else None


def producer_key_id(public_key: bytes) -> str:
    """A producer key's id: the first 8 bytes of SHA-256 of the raw public key, hex."""
    return hashlib.sha256(public_key).digest()[:8].hex()


EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type(): cls
    for cls in (
        SourceRegistered,
        SourceReliabilityAssessed,
        DocumentIngested,
        ClaimAsserted,
        AttributionMade,
        DeploymentReported,
        ClaimAssessed,
        ClaimRetracted,
        ActorRegistered,
        PlaceRegistered,
        ProducerKeyRegistered,
        ProducerKeyRevoked,
        WitnessKeyRegistered,
        WitnessKeyRevoked,
    )
}
"""Every event type by name, in the order the README lists them."""
