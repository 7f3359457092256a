"""``ledger kafka init``: create the events topic, or confirm it exists."""

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from ledger.config import KafkaSettings
from ledger.errors import StoreUnavailable

RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}
"""The topic keeps every event forever: it can always be re-archived from the start."""


@dataclass(frozen=True)
class TopicInfo:
    name: str
    partitions: int
    created: bool


def ensure_topic(settings: KafkaSettings, partitions: int | None = None) -> TopicInfo:
    """Create the topic with unlimited retention if it does not exist; idempotent."""
    try:
        admin = KafkaAdminClient(**settings.client_config())
    except KafkaError as exc:
        raise StoreUnavailable(f"cannot reach Kafka at {settings.bootstrap}: {exc}") from exc
    try:
        created = True
        try:
            admin.create_topics(
                [
                    NewTopic(
                        settings.topic,
                        num_partitions=partitions or settings.partitions,
                        replication_factor=settings.replication_factor,
                        topic_configs=dict(RETENTION),
                    )
                ]
            )
        except TopicAlreadyExistsError:
            created = False
        described = admin.describe_topics([settings.topic])
        count = len(described[0]["partitions"]) if described else 0
        return TopicInfo(settings.topic, count, created)
    except KafkaError as exc:
        raise StoreUnavailable(f"Kafka refused to set up {settings.topic}: {exc}") from exc
    finally:
        admin.close()
