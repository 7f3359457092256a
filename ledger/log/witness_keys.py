"""The witness key register, and the rule a cosignature passes before the ledger keeps it.

The register is a fold of ``WitnessKeyRegistered`` and ``WitnessKeyRevoked`` events in
position order. A cosignature line of a checkpoint is kept (and served) when:

1. it names a witness key registered under that name and key id, not revoked; and
2. it is a valid C2SP tlog-cosignature/v1 by that key over the checkpoint's exact text.

So no one can store a line under a witness's name that the witness did not sign, nor one
under the log's own name, nor block a witness's real cosignature with a forged one.
A registration is refused for a key revoked before (a revoked key never returns); a
revocation for a key the witness does not hold, or holds revoked already.
"""

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from ledger.domain.events import Event, WitnessKeyRegistered, WitnessKeyRevoked
from ledger.log.cosignature import cosigned_at
from ledger.log.note import SignatureLine, Verifier

WITNESS_KEY_EVENT_TYPES = (WitnessKeyRegistered.event_type(), WitnessKeyRevoked.event_type())


@dataclass(frozen=True)
class WitnessKey:
    """One registered witness key, with where it was registered and, if so, revoked."""

    verifier: Verifier
    registered_at: int
    revoked_at: int | None = None

    @property
    def label(self) -> str:
        return f"{self.verifier.name}+{self.verifier.key_id.hex()}"


@dataclass
class WitnessKeys:
    """The register as of the last key event folded into it."""

    keys: dict[tuple[str, bytes], WitnessKey] = field(default_factory=dict)
    at: int = 0
    """Position of the last witness key event folded (0 when none)."""

    def copy(self) -> "WitnessKeys":
        return copy.deepcopy(self)

    def active(self) -> list[WitnessKey]:
        """The keys not revoked, by name and key id."""
        return sorted(
            (k for k in self.keys.values() if k.revoked_at is None),
            key=lambda k: (k.verifier.name, k.verifier.key_id),
        )

    def refusal(self, event: Event) -> str | None:
        """Why a witness key event cannot enter the register, or None."""
        if isinstance(event, WitnessKeyRegistered):
            verifier = Verifier.parse(event.verifier_key)
            known = self.keys.get((verifier.name, verifier.key_id))
            if known is not None and known.revoked_at is not None:
                return (
                    f"witness key {known.label} was revoked at position {known.revoked_at}; "
                    "a revoked key never returns: the witness makes a new one"
                )
        elif isinstance(event, WitnessKeyRevoked):
            known = self.keys.get((event.witness, bytes.fromhex(event.key_id)))
            if known is None:
                return f"witness {event.witness!r} has no key {event.key_id} to revoke"
            if known.revoked_at is not None:
                return (
                    f"witness key {known.label} was revoked already at position {known.revoked_at}"
                )
        return None

    def apply(self, position: int, event: Event) -> None:
        """Fold one witness key event (others are ignored) recorded at ``position``."""
        if isinstance(event, WitnessKeyRegistered):
            verifier = Verifier.parse(event.verifier_key)
            slot = (verifier.name, verifier.key_id)
            if slot not in self.keys:
                self.keys[slot] = WitnessKey(verifier, position)
        elif isinstance(event, WitnessKeyRevoked):
            slot = (event.witness, bytes.fromhex(event.key_id))
            known = self.keys.get(slot)
            if known is None or known.revoked_at is not None:
                return
            self.keys[slot] = WitnessKey(known.verifier, known.registered_at, position)
        else:
            return
        self.at = max(self.at, position)

    def problem(
        self, checkpoint_text: str, size: int, line: SignatureLine, *, revoked: bool = False
    ) -> str | None:
        """Why ``line`` is not a cosignature to keep of the checkpoint of ``size`` whose
        note text is ``checkpoint_text`` (rules 1 and 2), or None when it is one.
        ``revoked`` admits a key revoked since (a line kept before it was revoked)."""
        label = f"{line.name}+{line.key_id.hex()}"
        key = self.keys.get((line.name, line.key_id))
        if key is None:
            return (
                f"no witness key {label} is registered (WitnessKeyRegistered, "
                "`ledger witnesses register`): the ledger keeps only cosignatures of known "
                "witnesses"
            )
        if key.revoked_at is not None and not revoked:
            return f"witness key {label} was revoked at position {key.revoked_at}"
        if cosigned_at(checkpoint_text, line, key.verifier) is None:
            return (
                f"the line does not verify with witness key {label} as a cosignature of the "
                f"checkpoint of size {size}: it is not that witness's signature of this exact "
                "checkpoint"
            )
        return None


def refusals(register: WitnessKeys, events: Sequence[Event]) -> list[tuple[int, str]]:
    """(index, reason) of each witness key event of a batch the register refuses, the
    batch's own earlier key events folded in as they pass."""
    if not any(e.event_type() in WITNESS_KEY_EVENT_TYPES for e in events):
        return []
    folded = register.copy()
    refused: list[tuple[int, str]] = []
    for index, event in enumerate(events):
        reason = folded.refusal(event)
        if reason is not None:
            refused.append((index, reason))
        else:
            folded.apply(folded.at + 1, event)
    return refused
