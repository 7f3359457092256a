"""The producer key register as a store keeps it: folded from the ledger's key events,
brought up to date only when the append function says another writer changed it."""

import threading
from collections.abc import Callable, Sequence

from ledger.codec.single_object import AvroCodec
from ledger.errors import LedgerError, ValidationFailed
from ledger.log.producer_keys import IN_BATCH, KEY_EVENT_TYPES, ProducerKeys
from ledger.records import EncodedEvent
from ledger.store.connection import Conn

REGISTER_CHANGED = "LG005"
"""The SQLSTATE of ``ledger.append_events`` when the register changed after the caller's
check (see migration 0010)."""


class SignatureRefused(ValidationFailed):
    """Events whose signature (or lack of one) the key register refuses; nothing of the
    batch was appended. ``refused`` holds (index in the batch, reason)."""

    def __init__(
        self, refused: list[tuple[int, str]], where: Callable[[int], str] | None = None
    ) -> None:
        self.refused = refused
        name = where if where is not None else (lambda index: f"record {index + 1}")
        super().__init__(
            [f"{name(index)}, signature: {reason}" for index, reason in refused],
            [(index, ("signature",)) for index, _ in refused],
        )

    def located(self, where: Callable[[int], str]) -> "SignatureRefused":
        """The same refusals, each event named by ``where(index)``."""
        return SignatureRefused(self.refused, where)


class RegisterChanged(LedgerError):
    """Another writer changed the key register while a batch was being checked: check
    the batch again (nothing was appended)."""


class KeyRegister:
    """A store's copy of the register (thread-safe), refreshed from the ledger on demand."""

    def __init__(self, codec: AvroCodec) -> None:
        self._codec = codec
        self._keys = ProducerKeys()
        self._fresh = False
        self._lock = threading.Lock()

    def stale(self) -> None:
        """Read the ledger's newer key events before the next check."""
        with self._lock:
            self._fresh = False

    def current(self, conn: Conn) -> ProducerKeys:
        """The register, up to date with what ``conn`` sees if it was stale. It is never
        changed once handed out (a refresh makes a new one): ``admit`` copies it before
        folding a batch's own key events, so appends without them copy nothing."""
        with self._lock:
            if not self._fresh:
                self._keys = self._fold_new(conn)
                self._fresh = True
            return self._keys

    def _fold_new(self, conn: Conn) -> ProducerKeys:
        rows = conn.execute(
            "SELECT position, payload FROM ledger.events"
            " WHERE event_type IN ('ProducerKeyRegistered', 'ProducerKeyRevoked')"
            " AND position > %s ORDER BY position",
            (self._keys.at,),
        ).fetchall()
        if not rows:
            return self._keys
        keys = self._keys.copy()
        for position, payload in rows:
            keys.apply(int(position), self._codec.decode(bytes(payload)))
        return keys


def admit(
    keys: ProducerKeys, items: Sequence[EncodedEvent], codec: AvroCodec, first: int = 0
) -> ProducerKeys:
    """Check each event against ``keys`` in order, folding the batch's own key events
    into a copy of it as they pass (so a key registered earlier in a batch signs later
    events); raise ``SignatureRefused`` naming every refused event (by index from
    ``first``). Returns the register after the batch (``keys`` itself when the batch has
    no key events), for the next chunk of a large batch."""
    if changes_register(items):
        keys = keys.copy()
    refused: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        if item.signature is None and keys.empty and item.event_type not in KEY_EVENT_TYPES:
            continue  # nothing is registered: an unsigned event needs no look
        reason = keys.problem(item.recorded_by or "", item.payload, item.signature)
        if reason is None and item.event_type in KEY_EVENT_TYPES:
            event = codec.decode(item.payload)
            reason = keys.refusal(event)
            if reason is None:
                keys.apply(IN_BATCH, event)  # its position is not known yet
        if reason is not None:
            refused.append((first + index, reason))
    if refused:
        raise SignatureRefused(refused)
    return keys


def changes_register(items: Sequence[EncodedEvent]) -> bool:
    """True when a batch holds key events (the register must be read again after it)."""
    return any(item.event_type in KEY_EVENT_TYPES for item in items)
