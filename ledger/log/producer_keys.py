"""The producer key register and the rule every event passes on its way in.

The register is a fold of ``ProducerKeyRegistered`` and ``ProducerKeyRevoked`` events in
position order. An event is admitted when:

1. it has no signature and its producer (``envelope.recorded_by``) does not require
   signatures: none of its key registrations so far asked for them (once one has, the
   requirement stands: a later registration cannot lift it); or
2. its signature names a key registered to that same producer, not revoked before it,
   and the Ed25519 signature verifies over the event's exact single-object bytes.

A registration is refused for a key already registered to another producer or revoked
(a revoked key never comes back); a revocation for a key that is not the producer's or
is already revoked. Events signed before a key's revocation stay valid. The same rule
runs on every append path (direct, HTTP, the Kafka archiver) and again in
``ledger audit verify``, where the register is folded as the scan passes each position.
"""

import copy
from dataclasses import dataclass, field

from ledger.domain.events import Event, ProducerKeyRegistered, ProducerKeyRevoked, public_key_bytes
from ledger.log.producer_signing import SIGNATURE_LENGTH, split, verifies

KEY_EVENT_TYPES = (ProducerKeyRegistered.event_type(), ProducerKeyRevoked.event_type())

IN_BATCH = -1
"""The position of a key event folded from the batch being checked (not yet appended)."""


def _at(position: int) -> str:
    return "earlier in this batch" if position == IN_BATCH else f"at position {position}"


@dataclass(frozen=True)
class ProducerKey:
    """One registered key, with where it was registered and, if so, revoked."""

    producer: str
    key_id: str
    public_key: bytes
    registered_at: int
    revoked_at: int | None = None


@dataclass
class ProducerKeys:
    """The register as of the last key event folded into it."""

    keys: dict[str, ProducerKey] = field(default_factory=dict)
    required_since: dict[str, int] = field(default_factory=dict)
    """Producer -> position of the registration that made it require signatures."""
    at: int = 0
    """Position of the last key event folded (0 when none)."""

    @property
    def empty(self) -> bool:
        return not self.keys

    def copy(self) -> "ProducerKeys":
        return copy.deepcopy(self)

    def problem(self, recorded_by: str, payload: bytes, signature: bytes | None) -> str | None:
        """Why an event of ``recorded_by`` with these bytes and signature is refused, or
        None when it is admitted (rules 1 and 2 of the module docstring)."""
        if signature is None:
            since = self.required_since.get(recorded_by)
            if since is None:
                return None
            return (
                f"producer {recorded_by!r} must sign its events (required {_at(since)}); "
                "this one has no signature"
            )
        if len(signature) != SIGNATURE_LENGTH:
            return (
                f"the signature is {len(signature)} bytes; a producer signature is "
                f"{SIGNATURE_LENGTH} (an 8-byte key id, then the 64-byte Ed25519 signature)"
            )
        key_id, raw = split(signature)
        key = self.keys.get(key_id)
        if key is None:
            return (
                f"it is signed with key {key_id}, which is not registered (ProducerKeyRegistered)"
            )
        if key.producer != recorded_by:
            return (
                f"it is signed with key {key_id} of producer {key.producer!r}, "
                f"but recorded_by says {recorded_by!r}"
            )
        if key.revoked_at is not None:
            return (
                f"it is signed with key {key_id} of {key.producer!r}, revoked {_at(key.revoked_at)}"
            )
        if not verifies(key.public_key, payload, raw):
            return (
                f"its signature does not verify with key {key_id} of {key.producer!r}: "
                "the signature is not over these exact bytes"
            )
        return None

    def refusal(self, event: Event) -> str | None:
        """Why a key event cannot enter the register, or None (see the docstring)."""
        if isinstance(event, ProducerKeyRegistered):
            key = self.keys.get(event.key_id)
            if key is not None and key.producer != event.producer:
                return f"key {event.key_id} is registered to producer {key.producer!r} already"
            if key is not None and key.revoked_at is not None:
                return (
                    f"key {event.key_id} was revoked {_at(key.revoked_at)}; "
                    "a revoked key never returns: generate a new one"
                )
        elif isinstance(event, ProducerKeyRevoked):
            key = self.keys.get(event.key_id)
            if key is None or key.producer != event.producer:
                return f"producer {event.producer!r} has no key {event.key_id} to revoke"
            if key.revoked_at is not None:
                return f"key {event.key_id} was revoked already {_at(key.revoked_at)}"
        return None

    def apply(self, position: int, event: Event) -> None:
        """Fold one key event (others are ignored) recorded at ``position`` (``IN_BATCH``
        for one of the batch being checked)."""
        if isinstance(event, ProducerKeyRegistered):
            raw = public_key_bytes(event.public_key)
            assert raw is not None  # the model checked it
            known = self.keys.get(event.key_id)
            self.keys[event.key_id] = ProducerKey(
                event.producer,
                event.key_id,
                raw,
                known.registered_at if known else position,
            )
            if event.require_signatures:
                self.required_since.setdefault(event.producer, position)
        elif isinstance(event, ProducerKeyRevoked):
            key = self.keys[event.key_id]
            self.keys[event.key_id] = ProducerKey(
                key.producer, key.key_id, key.public_key, key.registered_at, position
            )
        else:
            return
        self.at = max(self.at, position)
