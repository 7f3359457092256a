"""Signed checkpoints: issued over the Merkle tree's head, kept in ``ledger.checkpoints``.

Before signing, the tree is checked against the last checkpoint: the tree of its size
must still have its root, and the new tree must extend it (a consistency proof, checked
with the pure verifier). So the log never signs two views of history, whatever was done
to the database meanwhile: a rewritten or shrunk tree is refused with a clear error.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from ledger.errors import LedgerError
from ledger.log.checkpoint import Checkpoint
from ledger.log.merkle import ProofError, verify_consistency
from ledger.log.note import (
    NoteError,
    Signer,
    Verifier,
    open_note,
    parse_note,
    parse_signature_line,
    sign_note,
)
from ledger.ports import LedgerStore
from ledger.store.merkle import consistency_at, root_at
from ledger.store.witness_keys import witness_keys

Conn = psycopg.Connection[Any]

_CHECKPOINT_LOCK = 7402587364120003


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    signed_at: datetime


def _stored(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), row[3])


_SELECT = "SELECT size, root, note, signed_at FROM ledger.checkpoints"


class Checkpoints:
    """The checkpoints of one ledger."""

    def __init__(self, ledger: LedgerStore) -> None:
        self._ledger = ledger

    def latest(self) -> StoredCheckpoint | None:
        with self._ledger.connection() as conn:
            row = conn.execute(f"{_SELECT} ORDER BY size DESC LIMIT 1").fetchone()
        return _stored(row) if row else None

    def at(self, size: int) -> StoredCheckpoint | None:
        with self._ledger.connection() as conn:
            row = conn.execute(f"{_SELECT} WHERE size = %s", (size,)).fetchone()
        return _stored(row) if row else None

    def served_note(self, stored: StoredCheckpoint) -> str:
        """The checkpoint's note as it is handed out, with the cosignatures of registered
        witness keys that verify over it (the first per key; lines kept before they were
        checked, which may be forged, are not served)."""
        return stored.note + "".join(f"{line}\n" for line in self.cosignatures(stored))

    def cosignatures(self, stored: StoredCheckpoint) -> list[str]:
        """The cosignature lines of ``stored`` to serve: per witness key, the first kept
        that verifies with the register as it is now."""
        with self._ledger.connection() as conn:
            lines = conn.execute(
                "SELECT line FROM ledger.cosignatures WHERE size = %s ORDER BY witness, key_id, id",
                (stored.size,),
            ).fetchall()
            if not lines:
                return []
            register = witness_keys(conn, self._ledger.codec)
        text = parse_note(stored.note).text
        served: dict[tuple[str, bytes], str] = {}
        for (line,) in lines:
            signature = parse_signature_line(line)
            slot = (signature.name, signature.key_id)
            if slot not in served and register.problem(text, stored.size, signature) is None:
                served[slot] = str(signature)
        return list(served.values())

    def unverified(self) -> list[tuple[int, str, str]]:
        """(size, line, why) of every kept cosignature that does not verify with a witness
        key ever registered (one kept before cosignatures were checked, or tampered with)."""
        with self._ledger.connection() as conn:
            rows = conn.execute(
                "SELECT c.size, c.line, k.note FROM ledger.cosignatures c"
                " JOIN ledger.checkpoints k USING (size) ORDER BY c.size, c.id"
            ).fetchall()
            if not rows:
                return []
            register = witness_keys(conn, self._ledger.codec)
        found = []
        for size, line, note in rows:
            try:
                problem = register.problem(
                    parse_note(note).text, size, parse_signature_line(line), revoked=True
                )
            except NoteError as exc:
                problem = str(exc)
            if problem is not None:
                found.append((int(size), str(line), problem))
        return found

    def add_cosignature(self, size: int, line: str) -> bool:
        """Keep a witness's cosignature line for the checkpoint of ``size``; False when
        that witness key's valid cosignature is kept already. Refused (``LedgerError``,
        with the reason) unless it verifies with a registered witness key over that exact
        checkpoint (``ledger.log.witness_keys``)."""
        stored = self.at(size)
        if stored is None:
            raise LedgerError(f"the ledger signed no checkpoint of size {size}")
        try:
            signature = parse_signature_line(line)
        except NoteError as exc:
            raise LedgerError(f"the cosignature line: {exc}") from None
        if len(signature.signature) != 72:
            raise LedgerError("the cosignature line is not a tlog-cosignature/v1 (72 bytes)")
        text = parse_note(stored.note).text
        with self._ledger.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CHECKPOINT_LOCK,))
            register = witness_keys(conn, self._ledger.codec)
            problem = register.problem(text, size, signature)
            if problem is not None:
                raise LedgerError(f"the cosignature is refused: {problem}")
            kept = conn.execute(
                "SELECT line FROM ledger.cosignatures WHERE size = %s AND witness = %s"
                " AND key_id = %s",
                (size, signature.name, signature.key_id),
            ).fetchall()
            if any(register.problem(text, size, parse_signature_line(k)) is None for (k,) in kept):
                return False
            conn.execute(
                "INSERT INTO ledger.cosignatures (size, witness, key_id, line)"
                " VALUES (%s, %s, %s, %s)",
                (size, signature.name, signature.key_id, str(signature)),
            )
        return True

    def all(self) -> list[StoredCheckpoint]:
        with self._ledger.connection() as conn:
            return [_stored(r) for r in conn.execute(f"{_SELECT} ORDER BY size").fetchall()]

    def issue(self, signer: Signer) -> tuple[StoredCheckpoint, bool]:
        """A checkpoint of the head signed by ``signer`` (True), or the existing one when
        the head has not moved since the last (False)."""
        with self._ledger.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_CHECKPOINT_LOCK,))
            row = conn.execute("SELECT coalesce(max(position), 0) FROM ledger.events").fetchone()
            size = int(row[0]) if row else 0
            root = root_at(conn, size)
            last = conn.execute(f"{_SELECT} ORDER BY size DESC LIMIT 1").fetchone()
            if last is not None:
                previous = _stored(last)
                _check_extends(conn, previous, size, root, signer.verifier)
                if previous.size == size:
                    return previous, False
            body = Checkpoint(signer.name, size, root).body()
            note = sign_note(body, signer)
            inserted = conn.execute(
                "INSERT INTO ledger.checkpoints (size, root, note) VALUES (%s, %s, %s)"
                " RETURNING size, root, note, signed_at",
                (size, root, note),
            ).fetchone()
            assert inserted is not None
            return _stored(inserted), True


def _check_extends(
    conn: Conn, previous: StoredCheckpoint, size: int, root: bytes, verifier: Verifier
) -> None:
    """Refuse to sign unless the tree now extends the last signed checkpoint."""
    try:
        signed = Checkpoint.parse(open_note(previous.note, verifier).text)
    except NoteError as exc:
        raise LedgerError(
            f"the last checkpoint in the ledger (size {previous.size}) does not verify with "
            f"this signing key ({exc}): refusing to sign; run `ledger audit verify`"
        ) from None
    if (signed.size, signed.root) != (previous.size, previous.root):
        raise LedgerError(
            f"the last checkpoint's row (size {previous.size}) differs from its signed note: "
            "refusing to sign; run `ledger audit verify`"
        )
    if size < previous.size:
        raise LedgerError(
            f"the ledger holds {size} events but its checkpoint of size {previous.size} was "
            "signed: events were removed; refusing to sign a shrunk tree"
        )
    if root_at(conn, previous.size) != previous.root:
        raise LedgerError(
            f"the tree of the first {previous.size} events no longer has the root signed in "
            "its checkpoint: history was rewritten; refusing to sign; run `ledger audit verify`"
        )
    if size > previous.size > 0:  # every tree extends the empty one
        try:
            verify_consistency(
                previous.size, size, previous.root, root, consistency_at(conn, previous.size, size)
            )
        except ProofError as exc:
            raise LedgerError(
                f"the tree of {size} events does not extend the checkpoint of size "
                f"{previous.size} ({exc}): refusing to sign"
            ) from None
