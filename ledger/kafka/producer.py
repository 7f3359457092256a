"""The producer SDK: validated, Avro-encoded events sent to Kafka, one transaction a batch.

A batch is validated and encoded whole before anything is sent; then it goes out as one
Kafka transaction from an idempotent producer with ``acks=all``. If sending fails
midway, ``SendFailed`` says which events the broker confirmed. Re-sending the whole batch
is always safe: the archiver stores each event id once.
"""

import contextlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from ledger.codec.single_object import AvroCodec
from ledger.config import KafkaSettings
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError, StoreUnavailable
from ledger.intake.lines import validate_batch
from ledger.log.producer_signing import ProducerSigner, encode_signature
from ledger.records import EncodedEvent

HEADER_EVENT_TYPE = "ledger-event-type"
HEADER_FINGERPRINT = "ledger-schema-fingerprint"
HEADER_SIGNATURE = "ledger-signature"
"""The producer's signature over the message value, base64 (``ledger.log.producer_signing``)."""
HEADER_SEEN_BY = "ledger-seen-by"
"""The clearance of the API key that sent the event through the HTTP service (``LEVEL`` or
``LEVEL:COMPARTMENT,...``): the archiver looks its id up among the events that clearance
sees (``EncodedEvent.seen_by``). Absent: the operator's, as for every SDK producer."""


@dataclass(frozen=True)
class Sent:
    """Where the broker stored one event."""

    event_id: uuid.UUID
    topic: str
    partition: int
    offset: int


class SendFailed(LedgerError):
    """Sending a batch failed; ``confirmed`` lists what the broker acknowledged first."""

    def __init__(self, message: str, confirmed: list[Sent], unconfirmed: list[uuid.UUID]) -> None:
        super().__init__(message)
        self.confirmed = confirmed
        self.unconfirmed = unconfirmed


def headers_for(
    event_type: str,
    payload: bytes,
    signature: bytes | None = None,
    seen_by: Clearance | None = None,
) -> list[tuple[str, bytes]]:
    """Event type and schema fingerprint, for consumers that route without decoding, the
    producer's signature when there is one, and the clearance of the key that sent it."""
    headers = [
        (HEADER_EVENT_TYPE, event_type.encode()),
        (HEADER_FINGERPRINT, payload[2:10].hex().encode()),
    ]
    if signature is not None:
        headers.append((HEADER_SIGNATURE, encode_signature(signature).encode()))
    if seen_by is not None and not seen_by.is_operator:
        headers.append((HEADER_SEEN_BY, seen_by.text().encode()))
    return headers


class KafkaEventProducer:
    """Sends batches of events to the events topic, each batch one transaction."""

    def __init__(
        self,
        settings: KafkaSettings,
        codec: AvroCodec | None = None,
        signer: ProducerSigner | None = None,
    ) -> None:
        self.settings = settings
        self.codec = codec if codec is not None else AvroCodec()
        self.signer = signer
        """Signs every event sent (its bytes) as its producer, when given."""
        transactional_id = settings.transactional_id or f"ledger-producer-{uuid.uuid4()}"
        try:
            self._producer = KafkaProducer(
                **settings.client_config(),
                acks="all",
                enable_idempotence=True,
                transactional_id=transactional_id,
                linger_ms=5,
                batch_size=256 * 1024,
                max_request_size=8 * 1024 * 1024,
            )
            self._producer.init_transactions()
        except KafkaError as exc:
            raise StoreUnavailable(f"cannot reach Kafka at {settings.bootstrap}: {exc}") from exc

    def send(self, events: Sequence[Event | Mapping[str, Any]]) -> list[Sent]:
        """Send the batch as one transaction; returns each event's partition and offset.

        Items may be events or JSON-like records (``{"type": ..., "envelope": ...}``);
        every item is validated and encoded before anything is sent.
        """
        encoded = [self._encode(event) for event in validate_batch(events)]
        return self._send(encoded, [item.event_id for item in encoded])

    def send_stream(self, events: Iterable[Event]) -> list[Sent]:
        """Send events (already valid by type) as one transaction, encoding as it goes,
        so a batch of any size is sent in flat memory."""
        return self._send(self._encode(event) for event in events)

    def send_encoded(self, items: Sequence[EncodedEvent]) -> list[Sent]:
        """Send events as given (their exact bytes, and signatures), one transaction."""
        return self._send(items, [item.event_id for item in items])

    def _encode(self, event: Event) -> EncodedEvent:
        payload = self.codec.encode(event)
        signature = self.signer.sign(payload) if self.signer is not None else None
        return EncodedEvent.of(event, payload, signature=signature)

    def _send(
        self, encoded: Iterable[EncodedEvent], batch: list[uuid.UUID] | None = None
    ) -> list[Sent]:
        futures: list[tuple[EncodedEvent, FutureRecordMetadata]] = []
        attempted: list[uuid.UUID] = []
        producer = self._producer
        started = False
        try:
            for item in encoded:
                attempted.append(item.event_id)
                if not started:
                    producer.begin_transaction()
                    started = True
                future = producer.send(
                    self.settings.topic,
                    key=item.stream_id.encode(),
                    value=item.payload,
                    headers=headers_for(
                        item.event_type, item.payload, item.signature, item.seen_by
                    ),
                )
                futures.append((item, future))
            if started:
                producer.commit_transaction()
        except KafkaError as exc:
            confirmed = self._confirmed(futures)
            done = {s.event_id for s in confirmed}
            unconfirmed = [i for i in (batch or attempted) if i not in done]
            self._abort()
            raise SendFailed(
                f"sending to {self.settings.topic} failed after {len(confirmed)} of "
                f"{len(batch or attempted)} events were confirmed: {exc}; re-send the whole batch "
                "(the archiver stores each event id once)",
                confirmed,
                unconfirmed,
            ) from exc
        except BaseException:
            if started:
                self._abort()
            raise
        return [self._sent(item, future) for item, future in futures]

    def _abort(self) -> None:
        # on failure the broker times the transaction out; event ids dedupe on re-send
        with contextlib.suppress(KafkaError):
            self._producer.abort_transaction()

    def _sent(self, item: EncodedEvent, future: FutureRecordMetadata) -> Sent:
        # after a commit every future is resolved; get() would wait on an Event each time
        metadata: Any = (
            future.value
            if future.is_done and future.succeeded()
            else future.get(timeout=self.settings.request_timeout_ms / 1000)
        )
        return Sent(item.event_id, metadata.topic, metadata.partition, metadata.offset)

    def _confirmed(self, futures: list[tuple[EncodedEvent, FutureRecordMetadata]]) -> list[Sent]:
        """The events the broker acknowledged before a failure."""
        return [
            self._sent(item, future)
            for item, future in futures
            if future.is_done and future.succeeded()
        ]

    def close(self) -> None:
        self._producer.close(timeout=10)

    def __enter__(self) -> "KafkaEventProducer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
