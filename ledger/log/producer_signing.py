"""Producers' Ed25519 signatures over their events' single-object bytes.

A producer signs the exact bytes the ledger stores (``C3 01``, the schema fingerprint,
the Avro body). What travels beside an event, and what the Merkle leaf commits to, is
the 72-byte *signature*: the signing key's id (the first 8 bytes of SHA-256 of the raw
public key) followed by the 64-byte Ed25519 signature. A producer's private key lives in
a file of its own (``ledger producers keygen``): ``PRODUCER-KEY+`` and the base64 of the
32-byte Ed25519 seed.
"""

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ledger.domain.events import producer_key_id
from ledger.errors import LedgerError

KEY_ID_LENGTH = 8
SIGNATURE_LENGTH = KEY_ID_LENGTH + 64
"""A producer signature as kept: key id (8 bytes) || Ed25519 signature (64 bytes)."""

FILE_PREFIX = "PRODUCER-KEY+"


def split(signature: bytes) -> tuple[str, bytes]:
    """(key id in hex, Ed25519 signature) of a kept signature of the right length."""
    return signature[:KEY_ID_LENGTH].hex(), signature[KEY_ID_LENGTH:]


def verifies(public_key: bytes, payload: bytes, signature: bytes) -> bool:
    """True when the 64-byte Ed25519 ``signature`` is ``public_key``'s over ``payload``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
    except (InvalidSignature, ValueError):
        return False
    return True


def decode_signature(text: str, where: str) -> bytes:
    """A kept signature from its base64 text (as HTTP bodies and Kafka headers carry
    it), or one clear error naming ``where``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise LedgerError(f"{where}: the signature is not base64") from None
    if len(raw) != SIGNATURE_LENGTH:
        raise LedgerError(
            f"{where}: the signature is {len(raw)} bytes; a producer signature is "
            f"{SIGNATURE_LENGTH} (an 8-byte key id, then the 64-byte Ed25519 signature)"
        )
    return raw


def encode_signature(signature: bytes) -> str:
    return base64.b64encode(signature).decode("ascii")


@dataclass(frozen=True)
class ProducerSigner:
    """A producer's private key: signs events' single-object bytes."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> "ProducerSigner":
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key_text(self) -> str:
        """The public key as ``ProducerKeyRegistered.public_key`` holds it (base64)."""
        return base64.b64encode(self.public_key).decode("ascii")

    @property
    def key_id(self) -> str:
        return producer_key_id(self.public_key)

    def sign(self, payload: bytes) -> bytes:
        """The kept signature of ``payload``: key id || Ed25519 signature."""
        return bytes.fromhex(self.key_id) + self.private.sign(payload)

    def encode(self) -> str:
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return FILE_PREFIX + base64.b64encode(seed).decode("ascii")

    @classmethod
    def load(cls, path: Path) -> "ProducerSigner":
        """The key in ``path``, or one clear error saying what is wrong."""
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            raise LedgerError(
                f"{path}: no such key file; create one with `ledger producers keygen`"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"{path}: cannot read the producer key: {exc}") from None
        seed = None
        if text.startswith(FILE_PREFIX):
            try:
                seed = base64.b64decode(text[len(FILE_PREFIX) :], validate=True)
            except binascii.Error:
                seed = None
        if seed is None or len(seed) != 32:
            raise LedgerError(
                f"{path}: not a producer key file (PRODUCER-KEY+ and a base64 Ed25519 seed, "
                "as `ledger producers keygen` writes it)"
            )
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def save(self, path: Path) -> None:
        """Write the key to a new file readable by its owner only (never overwrites)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise LedgerError(
                f"{path}: a file is there already; keys are never overwritten"
            ) from None
        except OSError as exc:
            raise LedgerError(f"{path}: cannot create the key file: {exc.strerror}") from None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(self.encode() + "\n")
