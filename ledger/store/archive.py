"""Writing one archiver batch: events, rejections, duplicates and offsets, atomically."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from ledger.errors import LedgerError
from ledger.ports import LedgerStore
from ledger.records import Appended, EncodedEvent, KafkaOrigin


class OffsetConflict(LedgerError):
    """Another archiver moved a partition's offset: two archivers share a partition."""


@dataclass(frozen=True)
class Rejection:
    """A Kafka message that cannot enter the ledger, kept with its bytes and reason."""

    origin: KafkaOrigin
    reason: str
    payload: bytes | None
    key: bytes | None
    headers: dict[str, str]


@dataclass
class ArchiveBatch:
    """Everything one poll produced, to be stored in one transaction."""

    topic: str
    events: list[EncodedEvent] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    next_offsets: dict[int, int] = field(default_factory=dict)
    """Partition -> offset after the last message of this batch."""


@dataclass(frozen=True)
class ArchiveResult:
    appended: int
    duplicates: int
    rejected: int


def load_offsets(ledger: LedgerStore, topic: str) -> dict[int, int]:
    """Next offset to archive per partition, as last committed."""
    with ledger.connection() as conn:
        rows = conn.execute(
            'SELECT "partition", next_offset FROM ledger.kafka_offsets WHERE topic = %s', (topic,)
        ).fetchall()
    return {int(p): int(o) for p, o in rows}


def _advance(
    conn: psycopg.Connection[Any], topic: str, partition: int, expected: int | None, new: int
) -> None:
    if expected is None:
        row = conn.execute(
            'INSERT INTO ledger.kafka_offsets (topic, "partition", next_offset)'
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (topic, partition, new),
        ).fetchone()
    else:
        row = conn.execute(
            "UPDATE ledger.kafka_offsets SET next_offset = %s, updated_at = clock_timestamp()"
            ' WHERE topic = %s AND "partition" = %s AND next_offset = %s RETURNING 1',
            (new, topic, partition, expected),
        ).fetchone()
    if row is None:
        raise OffsetConflict(
            f"partition {partition} of {topic} was archived by another process meanwhile; "
            "give each archiver its own partitions (--partitions)"
        )


def store_batch(
    ledger: LedgerStore, batch: ArchiveBatch, committed: dict[int, int]
) -> ArchiveResult:
    """Store the batch and move the offsets from ``committed`` in one transaction."""
    with ledger.connection() as conn, conn.transaction():
        results: Sequence[Appended] = ledger.append_encoded(batch.events, conn=conn)
        duplicates = [
            (item.origin, result)
            for item, result in zip(batch.events, results, strict=True)
            if not result.appended and item.origin is not None
        ]
        if duplicates:
            with conn.cursor() as cur:
                cur.executemany(
                    'INSERT INTO ledger.kafka_duplicates (topic, "partition", "offset",'
                    ' event_id, "position") VALUES (%s, %s, %s, %s, %s)',
                    [
                        (o.topic, o.partition, o.offset, r.event_id, r.position)
                        for o, r in duplicates
                    ],
                )
        for rejection in batch.rejections:
            ledger.reject(
                origin="kafka",
                reason=rejection.reason,
                payload=rejection.payload,
                kafka=rejection.origin,
                key=rejection.key,
                headers=rejection.headers,
                conn=conn,
            )
        for partition, new in sorted(batch.next_offsets.items()):
            _advance(conn, batch.topic, partition, committed.get(partition), new)
    return ArchiveResult(
        appended=sum(1 for r in results if r.appended),
        duplicates=len(duplicates),
        rejected=len(batch.rejections),
    )
