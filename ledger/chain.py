"""The hash chain that makes the ledger tamper-evident.

``hash = sha256(prev_hash || position || recorded_at || payload)``, with position and
record time (microseconds since the Unix epoch) as 8-byte big-endian signed integers. The
first event's ``prev_hash`` is 32 zero bytes. Changing, removing, reordering or inserting
any event, or its record time, changes every hash after it.
"""

import hashlib
from datetime import UTC, datetime, timedelta

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
