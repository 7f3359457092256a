"""The transport contract (``tests/contract.py``) run against each transport."""

from collections.abc import Iterator

import pytest

from ledger.config import KafkaSettings
from ledger.intake.sinks import DirectSink, KafkaSink
from ledger.kafka.producer import KafkaEventProducer
from ledger.ports import Receipt
from ledger.store.postgres import PostgresLedger
from tests.contract import Transport, TransportContract


class TestDirect(TransportContract):
    conflict_refused_at_once = True

    @pytest.fixture
    def transport(self, ledger: PostgresLedger) -> Transport:
        return Transport(DirectSink(ledger), ledger)

    def assert_receipt(self, receipt: Receipt) -> None:
        assert receipt.position is not None and receipt.position >= 1
        assert receipt.appended is not None
        assert receipt.topic is None and receipt.offset is None


class TestKafka(TransportContract):
    conflict_refused_at_once = False

    @pytest.fixture
    def transport(
        self, ledger: PostgresLedger, kafka_settings: KafkaSettings
    ) -> Iterator[Transport]:
        with KafkaEventProducer(kafka_settings) as producer:
            yield Transport(KafkaSink(producer), ledger, kafka_settings)

    def assert_receipt(self, receipt: Receipt) -> None:
        assert receipt.position is None
        assert receipt.topic is not None and receipt.partition is not None
        assert receipt.offset is not None and receipt.offset >= 0
