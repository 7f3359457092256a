"""Proof bundles: events with their inclusion proofs and the signed checkpoint they rest
on, in one self-contained file that verifies offline with the log's public key alone.

The file is canonical JSON (sorted keys, no spaces, ASCII, one trailing newline) and the
check requires exactly that form, so no byte of it can change unnoticed: every value is
covered by a signature or a proof, and the layout by the canonical form.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosigned_at
from ledger.log.leaf import event_leaf_hash
from ledger.log.merkle import ProofError, verify_consistency, verify_inclusion
from ledger.log.note import NoteError, Verifier, open_note

FORMAT = "ledger-proof-bundle/v1"


class BundleError(ValueError):
    """A bundle that does not prove what it claims (or cannot be read as one)."""


@dataclass(frozen=True)
class ProvenEvent:
    position: int
    recorded_micros: int
    payload: bytes
    path: list[bytes]
    signature: bytes = b""
    """The producer's signature kept in the leaf (empty when there is none)."""


@dataclass(frozen=True)
class Consistency:
    """A consistency proof from an earlier tree size to the bundle's checkpoint."""

    size: int
    root: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class Bundle:
    checkpoint: str
    """The signed note, with the cosignatures the ledger holds."""
    events: list[ProvenEvent]
    consistency: list[Consistency] = field(default_factory=list)

    def encode(self) -> bytes:
        document = {
            "format": FORMAT,
            "checkpoint": self.checkpoint,
            "events": [
                {
                    "position": e.position,
                    "recorded_at_us": e.recorded_micros,
                    "payload": _b64(e.payload),
                    "signature": _b64(e.signature),
                    "path": [_b64(p) for p in e.path],
                }
                for e in self.events
            ],
            "consistency": [
                {"size": c.size, "root": _b64(c.root), "proof": [_b64(p) for p in c.proof]}
                for c in self.consistency
            ],
        }
        return (json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n").encode()

    @classmethod
    def decode(cls, data: bytes) -> "Bundle":
        try:
            document = json.loads(data.decode("ascii"))
            bundle = cls(
                checkpoint=_str(document["checkpoint"]),
                events=[
                    ProvenEvent(
                        position=_int(e["position"]),
                        recorded_micros=_int(e["recorded_at_us"]),
                        payload=_unb64(e["payload"]),
                        signature=_unb64(e["signature"]),
                        path=[_unb64(p) for p in e["path"]],
                    )
                    for e in document["events"]
                ],
                consistency=[
                    Consistency(_int(c["size"]), _unb64(c["root"]), [_unb64(p) for p in c["proof"]])
                    for c in document["consistency"]
                ],
            )
            if document["format"] != FORMAT:
                raise BundleError(f"this is not a {FORMAT} file")
        except BundleError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise BundleError(f"the file is not a proof bundle: {exc!r}") from None
        if bundle.encode() != data:
            raise BundleError("the bundle is not in its canonical form: it was altered")
        return bundle


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _unb64(value: Any) -> bytes:
    try:
        return base64.b64decode(_str(value).encode("ascii"), validate=True)
    except binascii.Error:
        raise BundleError("a value that should be base64 is not") from None


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise BundleError("a value that should be text is not")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BundleError("a value that should be a whole number is not")
    return value


@dataclass
class BundleCheck:
    """What a checked bundle established."""

    checkpoint: Checkpoint
    positions: list[int]
    witnesses: list[str]


def check_bundle(
    data: bytes,
    log_key: Verifier,
    witness_keys: list[Verifier] | None = None,
    min_witnesses: int = 0,
    seen: str | None = None,
) -> BundleCheck:
    """Verify a bundle offline; BundleError names the first thing that does not hold.

    ``seen``: a checkpoint note the caller saw before (from the log, a witness, a
    colleague); the bundle must show the same tree or a consistent extension of it.
    """
    bundle = Bundle.decode(data)
    try:
        note = open_note(bundle.checkpoint, log_key)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as exc:
        raise BundleError(f"the checkpoint: {exc}") from None
    if checkpoint.origin != log_key.name:
        raise BundleError(f"the checkpoint is of log {checkpoint.origin!r}, not {log_key.name!r}")
    witnesses = []
    for witness in witness_keys or []:
        lines = note.lines_of(witness)
        times = [cosigned_at(note.text, line, witness) for line in lines]
        if any(t is None for t in times):
            raise BundleError(f"the cosignature of {witness.name} does not verify")
        if times:
            witnesses.append(witness.name)
    if len(witnesses) < min_witnesses:
        raise BundleError(
            f"the checkpoint has {len(witnesses)} valid cosignature(s) of the witnesses "
            f"given; at least {min_witnesses} wanted"
        )
    if not bundle.events:
        raise BundleError("the bundle holds no event")
    for event in bundle.events:
        leaf = event_leaf_hash(
            event.position, event.recorded_micros, event.payload, event.signature
        )
        try:
            verify_inclusion(event.position - 1, checkpoint.size, leaf, event.path, checkpoint.root)
        except ProofError as exc:
            raise BundleError(
                f"the event at position {event.position} is not in the signed tree: {exc}"
            ) from None
    if seen is not None:
        _check_seen(seen, log_key, checkpoint, bundle.consistency)
    return BundleCheck(checkpoint, [e.position for e in bundle.events], witnesses)


def _check_seen(
    seen: str, log_key: Verifier, checkpoint: Checkpoint, proofs: list[Consistency]
) -> None:
    try:
        earlier = Checkpoint.parse(open_note(seen, log_key).text)
    except NoteError as exc:
        raise BundleError(f"the checkpoint seen before: {exc}") from None
    if earlier.size == checkpoint.size:
        if earlier.root != checkpoint.root:
            raise BundleError(
                f"the log signed two different trees of size {checkpoint.size}: it forked"
            )
        return
    if earlier.size > checkpoint.size:
        raise BundleError(
            f"the bundle's tree ({checkpoint.size} events) is smaller than one the log "
            f"showed before ({earlier.size}): a shrunk or older tree proves nothing new"
        )
    proof = next((c for c in proofs if c.size == earlier.size), None)
    if proof is None:
        raise BundleError(
            f"the bundle has no consistency proof from size {earlier.size}: "
            f"prove again with --since {earlier.size}"
        )
    try:
        verify_consistency(
            earlier.size, checkpoint.size, earlier.root, checkpoint.root, proof.proof
        )
    except ProofError as exc:
        raise BundleError(
            f"the bundle's tree does not extend the one seen before: the log forked ({exc})"
        ) from None
