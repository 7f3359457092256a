"""The hash chain that makes the ledger tamper-evident.

``hash = sha256(prev_hash || position || recorded_at || payload)``, with position and
record time (microseconds since the Unix epoch) as 8-byte big-endian signed integers. The
first event's ``prev_hash`` is 32 zero bytes. Changing, removing, reordering or inserting
any event, or its record time, changes every hash after it.
"""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

GENESIS_HASH = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def chain_hash(prev_hash: bytes, position: int, recorded_at: datetime, payload: bytes) -> bytes:
    """The hash of the event at ``position`` given the hash before it."""
    digest = hashlib.sha256(prev_hash)
    digest.update(position.to_bytes(8, "big", signed=True))
    digest.update(epoch_micros(recorded_at).to_bytes(8, "big", signed=True))
    digest.update(payload)
    return digest.digest()


def first_broken(records: Iterable["ChainLink"]) -> tuple[int, str] | None:
    """The first position where contiguity or the hash chain breaks, and what is wrong;
    None when the whole sequence (from position 1) is intact."""
    previous, expected = GENESIS_HASH, 1
    for record in records:
        if record.position != expected:
            return expected, f"position {expected} is missing (found {record.position} next)"
        if record.prev_hash != previous:
            return record.position, "prev_hash does not match the previous event's hash"
        if record.hash != chain_hash(previous, record.position, record.recorded_at, record.payload):
            return record.position, "hash does not match its position, record time and bytes"
        previous, expected = record.hash, expected + 1
    return None


class ChainLink(Protocol):
    """What the chain check reads of each event."""

    @property
    def position(self) -> int: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def prev_hash(self) -> bytes: ...
    @property
    def hash(self) -> bytes: ...
