"""The two transports for producers' events (the ``EventSink`` port): straight into
PostgreSQL, or onto Kafka for the archiver.

Both honour one contract (``tests/contract.py`` runs the same suite against each): a
batch is validated whole and goes in whole or not at all, re-sending it is harmless,
and each event ends up in the ledger exactly once.
"""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ledger.domain.events import Event
from ledger.intake.lines import validate_batch
from ledger.log.producer_signing import ProducerSigner
from ledger.ports import EventSink, LedgerStore, Publishable, Receipt
from ledger.records import Appended, EncodedEvent

if TYPE_CHECKING:  # the Kafka client is imported only where Kafka is used
    from ledger.kafka.producer import KafkaEventProducer, Sent

__all__ = ["DirectSink", "EventSink", "KafkaSink", "Publishable", "Receipt"]


class DirectSink:
    """Appends to the PostgreSQL ledger in the caller's process; ``signer`` signs every
    event as its producer."""

    name = "direct"
    checks_references = True
    """It appends in order in one place, so it can tell a name registered nowhere."""

    def __init__(self, ledger: LedgerStore, signer: ProducerSigner | None = None) -> None:
        self.ledger = ledger
        self.signer = signer

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]:
        return self.publish_stream(validate_batch(events))

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        return self._receipts(self.ledger.append(events, signer=self.signer))

    def publish_encoded(self, items: Sequence[EncodedEvent]) -> list[Receipt]:
        return self._receipts(self.ledger.append_encoded(items))

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        """Appending checks signatures itself: nothing to do beforehand."""

    @staticmethod
    def _receipts(appended: Iterable[Appended]) -> list[Receipt]:
        return [Receipt(r.event_id, position=r.position, appended=r.appended) for r in appended]


class KafkaSink:
    """Sends to the events topic as one transaction; the archiver stores them."""

    name = "kafka"
    checks_references = False
    """Partitions interleave: the archiver keeps such references and shows them as
    unresolved."""

    def __init__(self, producer: "KafkaEventProducer", ledger: LedgerStore | None = None) -> None:
        self.producer = producer
        self.ledger = ledger
        """The ledger the archiver stores into, to check signatures before sending."""

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]:
        return self._receipts(self.producer.send(events))

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        return self._receipts(self.producer.send_stream(events))

    def publish_encoded(self, items: Sequence[EncodedEvent]) -> list[Receipt]:
        return self._receipts(self.producer.send_encoded(items))

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        """Refuse now what the archiver would reject (``SignatureRefused``), when the
        ledger is at hand; the archiver checks again when it stores them."""
        if self.ledger is not None:
            self.ledger.admit(items)

    @staticmethod
    def _receipts(sent: "list[Sent]") -> list[Receipt]:
        return [
            Receipt(s.event_id, topic=s.topic, partition=s.partition, offset=s.offset) for s in sent
        ]
