"""The two transports for producers' events (the ``EventSink`` port): straight into
PostgreSQL, or onto Kafka for the archiver.

Both honour one contract (``tests/contract.py`` runs the same suite against each): a
batch is validated whole and goes in whole or not at all, re-sending it is harmless,
and each event ends up in the ledger exactly once.
"""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ledger.domain.events import Event
from ledger.jsonlines import validate_batch
from ledger.ports import EventSink, LedgerStore, Publishable, Receipt

if TYPE_CHECKING:  # the Kafka client is imported only where Kafka is used
    from ledger.kafka.producer import KafkaEventProducer, Sent

__all__ = ["DirectSink", "EventSink", "KafkaSink", "Publishable", "Receipt"]


class DirectSink:
    """Appends to the PostgreSQL ledger in the caller's process."""

    name = "direct"

    def __init__(self, ledger: LedgerStore) -> None:
        self.ledger = ledger

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]:
        return self.publish_stream(validate_batch(events))

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        return [
            Receipt(r.event_id, position=r.position, appended=r.appended)
            for r in self.ledger.append(events)
        ]


class KafkaSink:
    """Sends to the events topic as one transaction; the archiver stores them."""

    name = "kafka"

    def __init__(self, producer: "KafkaEventProducer") -> None:
        self.producer = producer

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]:
        return self._receipts(self.producer.send(events))

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        return self._receipts(self.producer.send_stream(events))

    @staticmethod
    def _receipts(sent: "list[Sent]") -> list[Receipt]:
        return [
            Receipt(s.event_id, topic=s.topic, partition=s.partition, offset=s.offset) for s in sent
        ]
