"""Helpers for Kafka tests: raw messages, archiving to completion, reading back."""

from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer

from ledger.config import KafkaSettings
from ledger.kafka.archiver import Archiver, ArchiveStats
from ledger.store.postgres import PostgresLedger


def send_raw(
    settings: KafkaSettings,
    values: Sequence[bytes | None],
    *,
    key: bytes = b"raw",
    headers: list[tuple[str, bytes]] | None = None,
    partition: int = 0,
) -> None:
    """Send bytes as they are, outside the SDK (as a buggy or hostile producer would)."""
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap, acks="all")
    for value in values:
        producer.send(
            settings.topic, key=key, value=value, headers=headers or [], partition=partition
        )
    producer.flush()
    producer.close()


def archive_all(ledger: PostgresLedger, settings: KafkaSettings, **kwargs: Any) -> ArchiveStats:
    return Archiver(ledger, settings, **kwargs).run()


def rejected_reasons(ledger: PostgresLedger) -> list[str]:
    with ledger.connection() as conn:
        rows = conn.execute("SELECT reason FROM ledger.rejected ORDER BY id").fetchall()
    return [str(r[0]) for r in rows]


def numbered_events(count: int, seed: str) -> list[Any]:
    """``count`` claims with ids derived from ``seed``: the same on every call."""
    import uuid

    from tests.factories import make

    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"ledger-test/{seed}")
    events = []
    for i in range(count):
        event = make("ClaimAsserted", claim_id=f"claim:{seed}-{i % 97}", statement=f"claim {i}")
        envelope = event.envelope.model_copy(update={"event_id": uuid.uuid5(namespace, str(i))})
        events.append(event.model_copy(update={"envelope": envelope}))
    return events


def ledger_env(database_url: str, settings: KafkaSettings) -> dict[str, str]:
    """Environment for a `ledger` subprocess using this database and topic."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        LEDGER_DATABASE_URL=database_url,
        LEDGER_KAFKA_BOOTSTRAP=str(settings.bootstrap),
        LEDGER_KAFKA_TOPIC=settings.topic,
    )
    return env
