"""Tampering as an attacker with superuser rights would: triggers bypassed, rows changed."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from ledger.chain import GENESIS_HASH, chain_hash


@contextmanager
def superuser(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection with the append-only triggers switched off (superuser only)."""
    with psycopg.connect(database_url, autocommit=False) as conn:
        conn.execute("SET session_replication_role = replica")
        yield conn
        conn.commit()


def flip_payload_byte(database_url: str, position: int, index: int = -1) -> None:
    with superuser(database_url) as conn:
        (payload,) = conn.execute(
            "SELECT payload FROM ledger.events WHERE position = %s", (position,)
        ).fetchone()  # type: ignore[misc]
        changed = bytearray(payload)
        changed[index] ^= 0x01
        conn.execute(
            "UPDATE ledger.events SET payload = %s WHERE position = %s", (bytes(changed), position)
        )


def delete_row(database_url: str, position: int) -> None:
    with superuser(database_url) as conn:
        conn.execute("DELETE FROM ledger.events WHERE position = %s", (position,))


def swap_rows(database_url: str, a: int, b: int) -> None:
    """Exchange the positions of two events (each keeps its own bytes and hashes)."""
    with superuser(database_url) as conn:
        conn.execute("UPDATE ledger.events SET position = 999999999 WHERE position = %s", (a,))
        conn.execute("UPDATE ledger.events SET position = %s WHERE position = %s", (a, b))
        conn.execute("UPDATE ledger.events SET position = %s WHERE position = 999999999", (b,))


def insert_forged(database_url: str, at: int, payload: bytes, event_id: str, stream: str) -> None:
    """Insert a forged event at ``at``, shift the later ones up and recompute the whole
    chain, so that the chain alone no longer shows anything."""
    with superuser(database_url) as conn:
        conn.execute(
            "UPDATE ledger.events SET position = position + 1000000 WHERE position >= %s", (at,)
        )
        conn.execute(
            "UPDATE ledger.events SET position = position - 999999 WHERE position >= 1000000"
        )
        for shift in (
            "position + 1000000 WHERE position >= %s",
            "position - 999999 WHERE position >= 1000000",
        ):  # the markings move with their events
            conn.execute(
                f"UPDATE ledger.markings SET position = {shift}", (at,) if "%s" in shift else ()
            )
        conn.execute("INSERT INTO ledger.markings VALUES (%s, 0, '{}')", (at,))
        conn.execute(
            "INSERT INTO ledger.events (position, event_id, event_type, stream_id, recorded_at,"
            " payload, prev_hash, hash) SELECT %s, %s, 'ClaimAsserted', %s, recorded_at, %s,"
            " prev_hash, hash FROM ledger.events WHERE position = %s",
            (at, event_id, stream, payload, at + 1),
        )
        rows = conn.execute(
            "SELECT position, recorded_at, payload FROM ledger.events ORDER BY position"
        ).fetchall()
        previous = GENESIS_HASH
        for position, recorded_at, body in rows:
            digest = chain_hash(previous, position, recorded_at, bytes(body))
            conn.execute(
                "UPDATE ledger.events SET prev_hash = %s, hash = %s WHERE position = %s",
                (previous, digest, position),
            )
            previous = digest
