"""Every Kafka offset up to the archiver's position is accounted for exactly once.

An offset is accounted for by an event archived from it, a rejection kept for it, or a
duplicate record (a re-sent event, archived as its original position). In the database
alone this proves no offset is accounted twice and none lies beyond the archiver's
position; with the topic readable, the offsets the topic holds are merged with the
accounted ones, partition by partition, so a message never archived is found too. Both
sides are streamed in offset order: memory stays flat however long the topic.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from ledger.audit.report import CheckOutcome, Findings
from ledger.config import KafkaSettings
from ledger.errors import StoreUnavailable
from ledger.ports import LedgerStore
from ledger.store.audit_reads import (
    accounted_offsets,
    archived_topics,
    archiver_offsets,
    topic_partitions,
)

CHECK = "kafka_offsets"


STALL_SECONDS = 30.0


@dataclass(frozen=True)
class Accounted:
    partition: int
    offset: int
    position: int | None
    how: str


def check_offsets(
    ledger: LedgerStore, findings: Findings, kafka: KafkaSettings | None
) -> CheckOutcome:
    """Check every topic the ledger archived from; read the configured one from Kafka."""
    with ledger.connection() as conn:
        rows = archiver_offsets(conn)
        topics = archived_topics(conn)
    positions: dict[str, dict[int, int]] = {}
    for topic, partition, next_offset in rows:
        positions.setdefault(str(topic), {})[int(partition)] = int(next_offset)
    topics |= set(positions)
    readable = kafka.topic if kafka is not None and kafka.enabled else None
    if not topics and readable is None:
        return CheckOutcome(CHECK, "skipped", "the ledger was never fed from Kafka")
    before = findings.count(CHECK)
    details = []
    for topic in sorted(topics | ({readable} if readable else set())):
        offsets = positions.get(topic, {})
        if topic == readable:
            assert kafka is not None
            counted = _check_topic(ledger, findings, topic, offsets, kafka)
            details.append(f"{topic}: {counted} offsets read from Kafka and matched")
        else:
            counted = _check_topic(ledger, findings, topic, offsets, None)
            details.append(f"{topic}: {counted} offsets accounted (topic not read)")
    failed = findings.count(CHECK) > before
    return CheckOutcome(CHECK, "failed" if failed else "passed", "; ".join(details))


def _check_topic(
    ledger: LedgerStore,
    findings: Findings,
    topic: str,
    next_offsets: dict[int, int],
    kafka: KafkaSettings | None,
) -> int:
    consumer = _consumer(kafka) if kafka is not None else None
    counted = 0
    try:
        if consumer is not None:
            known = consumer.partitions_for_topic(topic)
            if not known:
                findings.add(CHECK, None, f"topic {topic} does not exist on the Kafka cluster")
                consumer.close()
                consumer = None
        with ledger.connection() as conn:
            partitions = sorted(set(next_offsets) | topic_partitions(conn, topic))
        for partition in partitions:
            counted += _check_partition(
                ledger, findings, topic, partition, next_offsets.get(partition), consumer
            )
    finally:
        if consumer is not None:
            consumer.close()
    return counted


def _check_partition(
    ledger: LedgerStore,
    findings: Findings,
    topic: str,
    partition: int,
    next_offset: int | None,
    consumer: KafkaConsumer | None,
) -> int:
    where = f"{topic}[{partition}]"
    topic_offsets: Iterator[int] | None = None
    if consumer is not None and next_offset is not None:
        topic_offsets = _topic_offsets(consumer, findings, topic, partition, next_offset)
    pending = next(topic_offsets, None) if topic_offsets is not None else None
    previous: Accounted | None = None
    counted = 0
    for row in _accounted(ledger, topic, partition):
        if next_offset is None:
            findings.add(
                CHECK,
                row.position,
                f"{where}@{row.offset} is {row.how} but the archiver has no "
                "position for this partition",
            )
        elif row.offset >= next_offset:
            findings.add(
                CHECK,
                row.position,
                f"{where}@{row.offset} is {row.how}, beyond the archiver's position {next_offset}",
            )
        if previous is not None and previous.offset == row.offset:
            findings.add(
                CHECK,
                row.position if row.position is not None else previous.position,
                f"{where}@{row.offset} is accounted for twice: {previous.how} and {row.how}",
            )
            previous = row
            continue
        previous = row
        counted += 1
        if topic_offsets is None:
            continue
        while pending is not None and pending < row.offset:
            findings.add(CHECK, None, f"{where}@{pending} was never archived nor rejected")
            pending = next(topic_offsets, None)
        if pending == row.offset:
            pending = next(topic_offsets, None)
        elif row.offset < (next_offset or 0):
            findings.add(
                CHECK,
                row.position,
                f"{where}@{row.offset} is {row.how} but the topic holds no message at that offset",
            )
    while topic_offsets is not None and pending is not None:
        findings.add(CHECK, None, f"{where}@{pending} was never archived nor rejected")
        pending = next(topic_offsets, None)
    return counted


def _accounted(ledger: LedgerStore, topic: str, partition: int) -> Iterator[Accounted]:
    with ledger.connection() as conn, conn.transaction():
        with conn.cursor(name="audit_kafka_offsets") as cur:
            cur.itersize = 10_000
            accounted_offsets(cur, topic, partition)
            for offset, position, how in cur:
                yield Accounted(partition, int(offset), position, str(how))


def _consumer(kafka: KafkaSettings) -> KafkaConsumer:
    try:
        return KafkaConsumer(
            **kafka.client_config(),
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            max_poll_records=5000,
        )
    except KafkaError as exc:
        raise StoreUnavailable(f"cannot reach Kafka at {kafka.bootstrap}: {exc}") from exc


def _topic_offsets(
    consumer: KafkaConsumer, findings: Findings, topic: str, partition: int, until: int
) -> Iterator[int]:
    """The offsets of the messages the partition holds below ``until``, in order (as the
    archiver read them: committed only; transaction markers take offsets but are no
    messages)."""
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        begin = int(consumer.beginning_offsets([tp])[tp])
        end = int(consumer.end_offsets([tp])[tp])
    except KafkaError as exc:
        raise StoreUnavailable(f"reading {topic}[{partition}] failed: {exc}") from exc
    if begin > 0:
        findings.add(
            CHECK,
            None,
            f"{topic}[{partition}] no longer holds offsets below {begin}; they cannot be "
            "checked against the topic",
        )
    # A position past the end offset is no finding by itself (a transaction marker after
    # the last message can leave it there); any offset the database names that the topic
    # does not hold is, and the merge finds it.
    stop = min(until, end)
    last_progress = time.monotonic()
    while consumer.position(tp) < stop:
        try:
            polled = consumer.poll(timeout_ms=1000)
        except KafkaError as exc:
            raise StoreUnavailable(f"reading {topic}[{partition}] failed: {exc}") from exc
        records = polled.get(tp, [])
        if records:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise StoreUnavailable(
                f"reading {topic}[{partition}] stalled at offset {consumer.position(tp)}"
            )
        for record in records:
            if record.offset < until:
                yield int(record.offset)
