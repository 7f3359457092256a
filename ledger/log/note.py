"""C2SP signed notes with Ed25519 keys: key encodings, signing, and opening a note.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> base64(key id || signature)``. The key id is the first four bytes of
SHA-256(name || "\\n" || type || public key), type 0x01 for Ed25519 note signatures and
0x04 for tlog cosignatures. Keys are written as the Go reference (golang.org/x/mod/sumdb/note)
writes them: ``name+hexid+base64(type || public key)`` to verify,
``PRIVATE+KEY+name+hexid+base64(type || seed)`` to sign.
"""

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.domain.note_key import COSIGNATURE_V1 as COSIGNATURE_V1
from ledger.domain.note_key import ED25519 as ED25519
from ledger.domain.note_key import (
    check_key_name,
    key_id,
    parse_verifier_key,
    strict_b64decode,
)

SIGNATURE_PREFIX = "\u2014 "
"""An em dash and a space start every signature line."""


class NoteError(ValueError):
    """A key, note or signature that is malformed or does not verify."""


def _check_name(name: str) -> str:
    try:
        return check_key_name(name)
    except ValueError as exc:
        raise NoteError(str(exc)) from None


def _b64decode(text: str, what: str) -> bytes:
    try:
        return strict_b64decode(text, what)
    except ValueError as exc:
        raise NoteError(str(exc)) from None


@dataclass(frozen=True)
class Verifier:
    """A public key with its name and type, as a note's reader holds it."""

    name: str
    key_type: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def encode(self) -> str:
        """``name+hexid+base64(type || key)``."""
        body = base64.b64encode(bytes([self.key_type]) + self.public).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{body}"

    @classmethod
    def parse(cls, text: str) -> "Verifier":
        try:
            name, key_type, public = parse_verifier_key(text)
        except ValueError as exc:
            raise NoteError(str(exc)) from None
        return cls(name, key_type, public)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """An Ed25519 private key with its name: signs notes (or, type 0x04, cosigns)."""

    def __init__(self, name: str, seed: bytes, key_type: int = ED25519) -> None:
        self.name = _check_name(name)
        if len(seed) != 32:
            raise NoteError("an Ed25519 seed is 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._seed = seed
        self.key_type = key_type
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, key_type, public)

    @classmethod
    def generate(cls, name: str, key_type: int = ED25519) -> "Signer":
        from os import urandom

        return cls(name, urandom(32), key_type)

    def encode(self) -> str:
        """``PRIVATE+KEY+name+hexid+base64(type || seed)``: keep it secret."""
        body = base64.b64encode(bytes([self.key_type]) + self._seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{body}"

    @classmethod
    def parse(cls, text: str) -> "Signer":
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signing key is PRIVATE+KEY+NAME+KEYID+BASE64")
        _, _, name, hex_id, body = parts
        raw = _b64decode(body, "the signing key")
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError("the signing key is not an Ed25519 key (type 0x01 or 0x04)")
        signer = cls(name, raw[1:], raw[0])
        if hex_id.lower() != signer.verifier.key_id.hex():
            raise NoteError(f"signing key {name}: its key id does not match the key")
        return signer

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or "\r" in text:
        raise NoteError("a note's text must end in one newline and hold no blank line")


def sign_note(text: str, signer: Signer) -> str:
    """The note: ``text``, a blank line and ``signer``'s signature line."""
    _check_text(text)
    signature = signer.verifier.key_id + signer.sign(text.encode())
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {base64.b64encode(signature).decode()}\n"


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes
    signature: bytes
    """What follows the key id in the base64 (for a cosignature: timestamp || signature)."""

    def __str__(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {blob}"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[SignatureLine, ...]

    def signed_by(self, verifier: Verifier) -> bool:
        """Whether some signature line is ``verifier``'s valid note signature."""
        message = self.text.encode()
        return any(
            s.name == verifier.name
            and s.key_id == verifier.key_id
            and verifier.verify(message, s.signature)
            for s in self.signatures
        )

    def lines_of(self, verifier: Verifier) -> list[SignatureLine]:
        return [
            s for s in self.signatures if s.name == verifier.name and s.key_id == verifier.key_id
        ]

    def with_lines(self, lines: list[SignatureLine]) -> str:
        """The note text with these signature lines (as it is served)."""
        return self.text + "\n" + "".join(f"{line}\n" for line in lines)


def parse_note(note: str) -> Note:
    """Split a note into its text and signature lines (nothing verified yet)."""
    if not note.endswith("\n"):
        raise NoteError("a note ends in a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a note has its text, a blank line, then its signatures")
    text, lines = note[: split + 1], note[split + 2 :].splitlines()
    _check_text(text)
    if not lines:
        raise NoteError("the note has no signature")
    return Note(text, tuple(parse_signature_line(line) for line in lines))


def parse_signature_line(line: str) -> SignatureLine:
    """One ``— NAME BASE64`` line (not verified)."""
    if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
        raise NoteError(f"signature line {line[:60]!r} is not '— NAME BASE64'")
    name, blob = line[len(SIGNATURE_PREFIX) :].split(" ")
    raw = _b64decode(blob, f"the signature of {name}")
    if len(raw) < 5:
        raise NoteError(f"the signature of {name} is too short")
    return SignatureLine(_check_name(name), raw[:4], raw[4:])


def open_note(note: str, verifier: Verifier) -> Note:
    """The note, once ``verifier``'s signature on it checks; NoteError otherwise."""
    parsed = parse_note(note)
    if not parsed.signed_by(verifier):
        raise NoteError(f"the note carries no valid signature by {verifier.name}")
    return parsed
