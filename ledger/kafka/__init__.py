"""Kafka adapter: topic setup, the producer SDK and the archiver into PostgreSQL."""

from ledger.config import KafkaSettings
from ledger.kafka.archiver import Archiver, ArchiveStats, PartitionStatus
from ledger.kafka.producer import KafkaEventProducer, SendFailed, Sent
from ledger.kafka.topic import TopicInfo, ensure_topic

__all__ = [
    "ArchiveStats",
    "Archiver",
    "KafkaEventProducer",
    "KafkaSettings",
    "PartitionStatus",
    "SendFailed",
    "Sent",
    "TopicInfo",
    "ensure_topic",
]
