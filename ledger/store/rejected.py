"""Reading ``ledger.rejected``: every input a transport could not accept (a Kafka
message that did not decode or validate), with its origin, offset and reason, so an
auditor can see what was kept aside without writing SQL. A rejected input was never
decoded into a marking, so it is read on the service's (or the operator's) own
connection, never as a reader role, and shown to auditor keys only."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.store.connection import Conn


@dataclass(frozen=True)
class Rejection:
    """One kept rejection (``payload`` only when asked for)."""

    id: int
    received_at: datetime
    origin: str
    topic: str | None
    partition: int | None
    offset: int | None
    reason: str
    payload_bytes: int | None
    payload_sha256: str | None
    key: bytes | None
    headers: dict[str, Any] | None
    payload: bytes | None = None


def rejections(
    conn: Conn,
    *,
    after: int = 0,
    limit: int | None = 100,
    origin: str | None = None,
    with_payload: bool = False,
) -> list[Rejection]:
    """The rejections after id ``after``, oldest first, at most ``limit`` (None: all)."""
    rows = conn.execute(
        "SELECT id, received_at, origin, kafka_topic, kafka_partition, kafka_offset, reason,"
        " octet_length(payload), encode(sha256(payload), 'hex'), kafka_key, headers,"
        " CASE WHEN %s THEN payload END FROM ledger.rejected"
        " WHERE id > %s AND (%s::text IS NULL OR origin = %s) ORDER BY id LIMIT %s",
        (with_payload, after, origin, origin, limit),
    ).fetchall()
    return [
        Rejection(
            id=int(row[0]),
            received_at=row[1],
            origin=str(row[2]),
            topic=row[3],
            partition=None if row[4] is None else int(row[4]),
            offset=None if row[5] is None else int(row[5]),
            reason=str(row[6]),
            payload_bytes=None if row[7] is None else int(row[7]),
            payload_sha256=row[8],
            key=bytes(row[9]) if row[9] is not None else None,
            headers=row[10],
            payload=bytes(row[11]) if row[11] is not None else None,
        )
        for row in rows
    ]
