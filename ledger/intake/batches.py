"""A batch as the intake takes it: numbered events to check (as often as the checks
need), and how to hand them to a transport.

``Encoded`` holds events already turned into the exact bytes to append (HTTP bodies,
signed events among them; reports and STIX bundles once encoded); ``Streamed`` reads
its events again from their source on every pass (a JSON Lines file of any size,
appended in flat memory)."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.ports import EventSink, Receipt
from ledger.records import EncodedEvent


class Batch(Protocol):
    """Events to submit, each with its number (a record index, a line)."""

    def numbered(self) -> Iterable[tuple[int, Event]]:
        """The events with their numbers; may be called more than once."""
        ...

    def admit(self, sink: EventSink, clearance: Clearance) -> None:
        """Let the transport refuse, before anything moves, what it would refuse later."""
        ...

    def publish(self, sink: EventSink, clearance: Clearance) -> list[Receipt]:
        """Hand the events to the transport, as ``clearance`` sends them."""
        ...


@dataclass(frozen=True)
class Encoded:
    """Events with their exact bytes, numbered from ``first``."""

    pairs: Sequence[tuple[Event, EncodedEvent]]
    first: int = 0

    @classmethod
    def of(
        cls, events: Iterable[Event], encode: Callable[[Event], EncodedEvent], first: int = 0
    ) -> "Encoded":
        return cls([(event, encode(event)) for event in events], first)

    def numbered(self) -> Iterable[tuple[int, Event]]:
        return enumerate((event for event, _ in self.pairs), start=self.first)

    def items(self, clearance: Clearance) -> list[EncodedEvent]:
        return [seen_by(item, clearance) for _, item in self.pairs]

    def admit(self, sink: EventSink, clearance: Clearance) -> None:
        sink.admit(self.items(clearance))

    def publish(self, sink: EventSink, clearance: Clearance) -> list[Receipt]:
        return sink.publish_encoded(self.items(clearance))


@dataclass(frozen=True)
class Streamed:
    """Events read again from their source on each pass (``events()`` gives a fresh
    iterator of (number, event)); the operator's alone, since they are not encoded
    before the transport takes them."""

    events: Callable[[], Iterator[tuple[int, Event]]]

    def numbered(self) -> Iterable[tuple[int, Event]]:
        return self.events()

    def admit(self, sink: EventSink, clearance: Clearance) -> None:
        """The transport checks signatures as it appends (directly) or the archiver
        does (via Kafka): nothing to do beforehand."""

    def publish(self, sink: EventSink, clearance: Clearance) -> list[Receipt]:
        assert clearance.is_operator, "a streamed batch is the operator's"
        return sink.publish_stream(event for _, event in self.events())


def seen_by(item: EncodedEvent, clearance: Clearance) -> EncodedEvent:
    """The event as sent by a key of ``clearance``: its id is looked up among the events
    that clearance sees, so a producer learns nothing of the others, not even their ids."""
    return item if clearance.is_operator else replace(item, seen_by=clearance)
