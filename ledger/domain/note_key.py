"""Verifier keys as C2SP signed notes write them, ``name+hexid+base64(type || key)``: the
value a witness key registration carries. Pure: the format and the key id, no crypto.

The key id is the first four bytes of SHA-256(name || "\\n" || type || public key); type
0x01 is an Ed25519 note signature key, 0x04 a tlog cosignature (witness) key.
"""

import base64
import binascii
import hashlib

ED25519 = 0x01
COSIGNATURE_V1 = 0x04


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    """The 4-byte id of a note key."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def check_key_name(name: str) -> str:
    """The name, or ValueError: a key name is non-empty, with no '+' and no spaces."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise ValueError(f"key name {name[:60]!r} must be non-empty, with no '+' and no spaces")
    return name


def strict_b64decode(text: str, what: str) -> bytes:
    """Strict base64: only the one canonical spelling of the bytes is taken (unused
    trailing bits set would let an altered line pass as the same signature)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


def parse_verifier_key(text: str) -> tuple[str, int, bytes]:
    """(name, key type, 32-byte public key) of ``NAME+KEYID+BASE64``, or ValueError."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise ValueError(f"verifier key {text[:80]!r} is not NAME+KEYID+BASE64")
    name, hex_id, body = parts
    check_key_name(name)
    raw = strict_b64decode(body, "the verifier key")
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise ValueError("the verifier key is not an Ed25519 key (type 0x01 or 0x04)")
    if len(hex_id) != 8 or hex_id.lower() != key_id(name, raw[0], raw[1:]).hex():
        raise ValueError(f"verifier key {name}: its key id does not match the key")
    return name, raw[0], raw[1:]
