"""What the ledger hands back: appended positions and recorded events."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.domain.events import Event
from ledger.domain.marking import Clearance, Marking


@dataclass(frozen=True)
class KafkaOrigin:
    """Where on Kafka an event or a rejected input came from."""

    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True)
class EncodedEvent:
    """An event ready to append: its single-object Avro bytes and the columns beside them."""

    event_id: UUID
    event_type: str
    stream_id: str
    valid_from: datetime | None
    valid_to: datetime | None
    payload: bytes
    origin: KafkaOrigin | None = None
    marking: Marking | None = None
    """Who may see it, as its payload states; None fails closed (UNKNOWN)."""
    recorded_by: str | None = None
    """The producer the payload names (``envelope.recorded_by``)."""
    signature: bytes | None = None
    """The producer's signature over ``payload`` (``ledger.log.producer_signing``)."""
    seen_by: Clearance | None = None
    """The clearance of the producer that sent it (an API key's), when it does not see
    everything: the event id is looked up among the events that clearance sees, so an id
    held only by events hidden from the producer is free to it. None: the operator."""

    @classmethod
    def of(
        cls,
        event: Event,
        payload: bytes,
        origin: KafkaOrigin | None = None,
        signature: bytes | None = None,
        seen_by: Clearance | None = None,
    ) -> "EncodedEvent":
        """The columns of ``event`` beside its exact ``payload`` bytes."""
        valid_from, valid_to = event.valid_span()
        return cls(
            event_id=event.envelope.event_id,
            event_type=event.event_type(),
            stream_id=event.envelope.stream_id,
            valid_from=valid_from,
            valid_to=valid_to,
            payload=payload,
            origin=origin,
            marking=event.envelope.marking,
            recorded_by=event.envelope.recorded_by,
            signature=signature,
            seen_by=seen_by,
        )


@dataclass(frozen=True)
class Appended:
    """The outcome of appending one event; ``appended`` is False for an idempotent repeat."""

    event_id: UUID
    position: int
    recorded_at: datetime
    appended: bool


@dataclass(frozen=True)
class Head:
    """The last event of the ledger (position 0 and the genesis hash when empty)."""

    position: int
    hash: bytes
    recorded_at: datetime | None


@dataclass(frozen=True)
class RecordedEvent:
    """One row of the ledger, with its payload decoded."""

    position: int
    event_id: UUID
    event_type: str
    stream_id: str
    recorded_at: datetime
    valid_from: datetime | None
    valid_to: datetime | None
    payload: bytes
    prev_hash: bytes
    hash: bytes
    origin: KafkaOrigin | None
    event: Event
    signature: bytes | None = None
    """The producer's signature kept beside the payload, if it was signed."""
