"""One contract, two transports: a base test case that every ``EventSink`` subclasses.

A subclass provides the ``transport`` fixture and says, in ``conflict_refused_at_once``,
how its transport treats an event id re-used with other bytes (the one place where the
transports are allowed to differ, and each says exactly how). Each test publishes
through the sink, lets the transport settle (for Kafka: the archiver catches up), checks
the receipts, and checks the ledger.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from ledger.config import KafkaSettings
from ledger.errors import ConflictError, ValidationFailed
from ledger.kafka.archiver import Archiver
from ledger.ports import EventSink, LedgerStore, Receipt
from tests.factories import ALL_TYPES, json_line, make
from tests.helpers import assert_chain_valid


@dataclass
class Transport:
    sink: EventSink
    ledger: LedgerStore
    kafka: KafkaSettings | None = None

    def settle(self) -> None:
        if self.kafka is not None:
            Archiver(self.ledger, self.kafka).run()

    def publish(self, events: list[Any]) -> list[Receipt]:
        receipts = self.sink.publish(events)
        self.settle()
        return receipts


class TransportContract:
    """The tests every transport passes."""

    conflict_refused_at_once: ClassVar[bool]
    """True: a re-used id with other bytes raises at publish; False: it is accepted and
    kept in the rejected table when it reaches the ledger."""

    def assert_receipt(self, receipt: Receipt) -> None:
        """What this transport's receipts must say about an accepted event."""
        raise NotImplementedError

    def test_every_type_arrives_decoded(self, transport: Transport) -> None:
        events = [make(t) for t in ALL_TYPES]
        receipts = transport.publish(events)
        assert [r.event_id for r in receipts] == [e.envelope.event_id for e in events]
        for receipt in receipts:
            self.assert_receipt(receipt)
        stored = {r.event_id: r.event for r in transport.ledger.read()}
        assert stored == {e.envelope.event_id: e for e in events}

    def test_json_records_are_validated_like_events(self, transport: Transport) -> None:
        (receipt,) = transport.publish([json_line("ActorRegistered", actor_id="actor:json")])
        self.assert_receipt(receipt)
        (recorded,) = transport.ledger.read()
        assert recorded.event_type == "ActorRegistered"
        assert recorded.event_id == receipt.event_id

    def test_one_invalid_record_and_nothing_moves(self, transport: Transport) -> None:
        with pytest.raises(ValidationFailed, match="record 2, field kind"):
            transport.sink.publish([make("ClaimAsserted"), json_line("ClaimAsserted", kind="X")])
        transport.settle()
        assert transport.ledger.head().position == 0

    def test_resending_a_batch_stores_it_once(self, transport: Transport) -> None:
        batch = [make("ClaimAsserted"), make("DeploymentReported"), make("SourceRegistered")]
        first = transport.publish(batch)
        again = transport.publish(batch)
        transport.publish(batch[1:])
        assert [r.event_id for r in again] == [r.event_id for r in first]
        assert transport.ledger.head().position == 3
        assert assert_chain_valid(transport.ledger) == 3

    def test_stream_order_is_preserved(self, transport: Transport) -> None:
        events = [make("AttributionMade", attribution_id=f"a:{i}") for i in range(25)]
        for i in range(0, 25, 5):
            transport.publish(events[i : i + 5])
        assert [r.event for r in transport.ledger.read(stream="claim:test-1")] == events

    def test_an_id_names_one_event_forever(self, transport: Transport) -> None:
        original = make("ClaimAsserted")
        transport.publish([original])
        forged = original.model_copy(update={"statement": "rewritten"})
        if self.conflict_refused_at_once:
            with pytest.raises(ConflictError):
                transport.publish([forged])
        else:
            transport.publish([forged])
            assert transport.ledger.count_rejected() == 1
        assert [r.event for r in transport.ledger.read()] == [original]

    def test_positions_stay_contiguous_across_batches(self, transport: Transport) -> None:
        for size in (1, 7, 300, 2):
            transport.publish([make("ClaimAsserted") for _ in range(size)])
        assert assert_chain_valid(transport.ledger) == 310
