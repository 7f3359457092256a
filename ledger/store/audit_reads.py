"""The raw reads the audit needs, as the ledger stores them: rows, tree nodes, the
schema registry, chain states at a position, and the Kafka bookkeeping. The audit
checks what these give against what it recomputes; nothing here judges.

Every statement reads as the ledger's owner (the audit sees every row, hidden or not).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from psycopg import sql

from ledger.store.connection import Conn

ROW_QUERY = (
    "SELECT position, coalesce((extract(epoch FROM recorded_at) * 1000000)::bigint, 0),"
    " coalesce(payload, ''), coalesce(prev_hash, ''), coalesce(hash, ''),"
    " coalesce(event_id::text, ''), coalesce(event_type, ''), coalesce(stream_id, ''),"
    " coalesce((SELECT m.rank::text || ':' || array_to_string(m.compartments, ',')"
    "   FROM ledger.markings m WHERE m.position = e.position), '-'),"
    " coalesce(signature, '')"
    " FROM ledger.events e WHERE position >= {} AND position <= {} ORDER BY position"
)
"""The row the scan reads; record time in µs exactly as the append function hashes it.
A NULL (possible only once someone dropped the table's constraints) reads as empty, so it
fails the checks as a finding at its position instead of stopping the scan."""

TREE_QUERY = (
    "SELECT position, level, hash FROM ledger.merkle_nodes"
    " WHERE position >= {} AND position <= {} ORDER BY position, level"
)


def rows_between(cur: Any, start: int, last: int) -> None:
    """Run the scan's row query from ``start`` to ``last`` on the cursor ``cur``."""
    cur.execute(sql.SQL(ROW_QUERY).format(start, last))


def nodes_between(cur: Any, start: int, last: int) -> None:
    """Run the tree-node query from ``start`` to ``last`` on the cursor ``cur``."""
    cur.execute(sql.SQL(TREE_QUERY).format(start, last))


def registry_entries(conn: Conn) -> list[tuple[bytes, str, int, str, str]]:
    rows = conn.execute(
        "SELECT fingerprint, event_type, version, canonical_form, schema_json FROM ledger.schemas"
    ).fetchall()
    return [(bytes(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4])) for r in rows]


def key_event_rows(conn: Conn, before: int) -> list[tuple[int, bytes]]:
    """(position, payload) of the producer key register's events before ``before``."""
    rows = conn.execute(
        "SELECT position, payload FROM ledger.events"
        " WHERE event_type IN ('ProducerKeyRegistered', 'ProducerKeyRevoked')"
        " AND position < %s ORDER BY position",
        (before,),
    ).fetchall()
    return [(int(p), bytes(b)) for p, b in rows]


def chain_state(conn: Conn, position: int) -> tuple[bytes, int] | None:
    """The stored hash and record time (µs, as hashed) of ``position``, if it is there."""
    row = conn.execute(
        "SELECT hash, (extract(epoch FROM recorded_at) * 1000000)::bigint FROM ledger.events"
        " WHERE position = %s",
        (position,),
    ).fetchone()
    return None if row is None else (bytes(row[0]), int(row[1]))


def hash_at(conn: Conn, position: int) -> bytes | None:
    """The stored hash of ``position``, if an event is there."""
    row = conn.execute("SELECT hash FROM ledger.events WHERE position = %s", (position,)).fetchone()
    return bytes(row[0]) if row else None


def tree_edge(conn: Conn, size: int) -> dict[int, bytes]:
    """The right edge of the stored tree of ``size`` leaves."""
    levels = [level for level in range(size.bit_length()) if (size >> level) & 1]
    rows = conn.execute(
        "SELECT l, ledger.merkle_node((%s::bigint >> l) << l, l) FROM unnest(%s::integer[]) l",
        (size, levels),
    ).fetchall()
    return {int(level): bytes(digest) for level, digest in rows if digest is not None}


def written_with(conn: Conn, fingerprints: Iterable[bytes], first: int, before: int) -> set[bytes]:
    """Of these fingerprints, those an event from ``first`` to before ``before`` was
    written with (a scan of those events: asked only for registry entries found altered)."""
    return {
        fingerprint
        for fingerprint in fingerprints
        if conn.execute(
            "SELECT 1 FROM ledger.events WHERE position >= %s AND position < %s"
            " AND substring(payload FROM 3 FOR 8) = %s LIMIT 1",
            (first, before, fingerprint),
        ).fetchone()
    }


def last_stored(conn: Conn, at_most: int, at_least: int) -> int | None:
    """The last position stored from ``at_least`` to ``at_most``, if any."""
    row = conn.execute(
        "SELECT max(position) FROM ledger.events WHERE position <= %s AND position >= %s",
        (at_most, at_least),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def record_times(conn: Conn, positions: list[int]) -> dict[int, datetime]:
    """The record time of each of these positions that holds an event."""
    rows = conn.execute(
        "SELECT position, recorded_at FROM ledger.events WHERE position = ANY(%s)",
        (positions,),
    ).fetchall()
    return {int(p): t for p, t in rows}


def proof_rows(conn: Conn, positions: list[int]) -> list[tuple[int, int, bytes, bytes]]:
    """(position, record time in µs, payload, signature or empty) of these positions."""
    rows = conn.execute(
        "SELECT position, (extract(epoch FROM recorded_at) * 1000000)::bigint, payload,"
        " coalesce(signature, '') FROM ledger.events WHERE position = ANY(%s)"
        " ORDER BY position",
        (positions,),
    ).fetchall()
    return [(int(p), int(t), bytes(b), bytes(s)) for p, t, b, s in rows]


def duplicate_ids(
    conn: Conn, of_range: tuple[int, int] | None
) -> list[tuple[str, list[int], list[int], list[str | None]]]:
    """Each event id held at more than one position (of those ids in ``of_range``, if
    given): its positions, and each one's marking rank and compartments (5 and none
    where the marking is missing)."""
    # Two statements, not one with "whole OR id IN (range)": the planner cannot use the
    # event-id index under the OR and scans every event (0.4 s at 1M for a 1k range).
    where = (
        ""
        if of_range is None
        else " WHERE e.event_id IN (SELECT event_id FROM ledger.events"
        " WHERE position >= %(start)s AND position <= %(last)s)"
    )
    start, last = of_range or (0, 0)
    rows = conn.execute(
        "SELECT e.event_id::text, array_agg(e.position ORDER BY e.position),"
        " array_agg(coalesce(m.rank, 5) ORDER BY e.position),"
        " array_agg(array_to_string(m.compartments, ' ') ORDER BY e.position)"
        " FROM ledger.events e LEFT JOIN ledger.markings m USING (position)"
        + where
        + " GROUP BY e.event_id HAVING count(*) > 1",
        {"start": start, "last": last},
    ).fetchall()
    return [(str(i), list(p), list(r), list(c)) for i, p, r, c in rows]


_ACCOUNTED = """
SELECT o, pos, how FROM (
    SELECT kafka_partition AS p, kafka_offset AS o, position AS pos, 'archived' AS how
      FROM ledger.events WHERE kafka_topic = %(topic)s
    UNION ALL SELECT kafka_partition, kafka_offset, NULL, 'rejected'
      FROM ledger.rejected WHERE kafka_topic = %(topic)s
    UNION ALL SELECT "partition", "offset", "position", 'a duplicate'
      FROM ledger.kafka_duplicates WHERE topic = %(topic)s
) accounted WHERE p = %(partition)s ORDER BY o
"""
"""Every offset of a topic's partition the ledger accounts for: archived (at a
position), rejected, or a duplicate of one archived."""


def accounted_offsets(cur: Any, topic: str, partition: int) -> None:
    """Run the accounted-offsets query on the cursor ``cur``: (offset, position, how)."""
    cur.execute(_ACCOUNTED, {"topic": topic, "partition": partition})


def archiver_offsets(conn: Conn) -> list[tuple[str, int, int]]:
    """(topic, partition, next offset) as the archivers recorded them."""
    rows = conn.execute(
        'SELECT topic, "partition", next_offset FROM ledger.kafka_offsets'
        ' ORDER BY topic, "partition"'
    ).fetchall()
    return [(str(t), int(p), int(o)) for t, p, o in rows]


def archived_topics(conn: Conn) -> set[str]:
    """Every topic an archived event came from."""
    rows = conn.execute(
        "SELECT DISTINCT kafka_topic FROM ledger.events WHERE kafka_topic IS NOT NULL"
    ).fetchall()
    return {str(r[0]) for r in rows}


def topic_partitions(conn: Conn, topic: str) -> set[int]:
    """The partitions of ``topic`` an event was archived or rejected from."""
    rows = conn.execute(
        "SELECT DISTINCT kafka_partition FROM ledger.events WHERE kafka_topic = %(t)s"
        " UNION SELECT DISTINCT kafka_partition FROM ledger.rejected WHERE kafka_topic = %(t)s",
        {"t": topic},
    ).fetchall()
    return {int(r[0]) for r in rows}


_EXPORT_QUERY = (
    "SELECT position, event_id, event_type, stream_id,"
    " (extract(epoch FROM recorded_at) * 1000000)::bigint,"
    " (extract(epoch FROM valid_from) * 1000000)::bigint,"
    " (extract(epoch FROM valid_to) * 1000000)::bigint,"
    " payload, prev_hash, hash, kafka_topic, kafka_partition, kafka_offset, {}, signature"
    " FROM ledger.events WHERE position <= {} ORDER BY position"
)


def export_rows(cur: Any, visible: sql.Composable, last: int) -> None:
    """Run the export's row query up to ``last`` on the cursor ``cur``; ``visible`` is
    the condition a row must meet to be shown (others are redacted)."""
    cur.execute(sql.SQL(_EXPORT_QUERY).format(visible, last))
