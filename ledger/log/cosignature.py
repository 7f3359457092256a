"""C2SP tlog-cosignature/v1 (Ed25519): a witness's timestamped signature on a checkpoint.

The signed message is ``cosignature/v1\\ntime <POSIX seconds>\\n`` then the checkpoint's
whole note text; the signature line carries key id || u64 timestamp || signature.
"""

import struct

from ledger.log.note import COSIGNATURE_V1, NoteError, SignatureLine, Signer, Verifier


def _message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, signer: Signer, timestamp: int) -> SignatureLine:
    if signer.key_type != COSIGNATURE_V1:
        raise NoteError("a cosignature needs a witness key (type 0x04)")
    if not 0 <= timestamp < 2**63:
        raise NoteError("a cosignature's time is a POSIX timestamp below 2^63")
    signature = signer.sign(_message(body, timestamp))
    return SignatureLine(
        signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + signature
    )


def cosigned_at(body: str, line: SignatureLine, verifier: Verifier) -> int | None:
    """The time of ``line``'s cosignature on ``body`` when it is ``verifier``'s and valid."""
    if (
        verifier.key_type != COSIGNATURE_V1
        or line.name != verifier.name
        or line.key_id != verifier.key_id
        or len(line.signature) != 72
    ):
        return None
    (timestamp,) = struct.unpack(">Q", line.signature[:8])
    if timestamp >= 2**63 or not verifier.verify(_message(body, timestamp), line.signature[8:]):
        return None
    return int(timestamp)
