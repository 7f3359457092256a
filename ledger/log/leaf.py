"""What a Merkle leaf commits to: one event's position, record time and exact bytes.

``int8(position) || int8(recorded_at, µs since the epoch) || int4(len(payload)) ||
payload || signature``, integers big-endian; the signature (a producer's Ed25519
signature over the payload) is empty when there is none. The length prefix keeps the
payload and the signature apart. The database function that appends events computes
the same bytes.
"""

from ledger.log.merkle import leaf_hash


def leaf_data(position: int, recorded_micros: int, payload: bytes, signature: bytes = b"") -> bytes:
    return (
        position.to_bytes(8, "big", signed=True)
        + recorded_micros.to_bytes(8, "big", signed=True)
        + len(payload).to_bytes(4, "big")
        + payload
        + signature
    )


def event_leaf_hash(
    position: int, recorded_micros: int, payload: bytes, signature: bytes = b""
) -> bytes:
    return leaf_hash(leaf_data(position, recorded_micros, payload, signature))
