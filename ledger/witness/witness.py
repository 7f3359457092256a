"""One round of a witness: fetch the log's latest checkpoint, check it extends the last
one this witness cosigned (a consistency proof), cosign it, post the cosignature back.

The witness keeps its own key and its own state (the last checkpoint it vouched for) in
files; a log that shows it a smaller tree, another root for a size it saw, or a tree
that does not extend the one it saw is refused, and the state is left as it was.
"""

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ledger.errors import LedgerError
from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosign
from ledger.log.merkle import ProofError, verify_consistency
from ledger.log.note import NoteError, Signer, Verifier, open_note


class Refused(LedgerError):
    """The log showed the witness a checkpoint inconsistent with what it saw before."""


class LogClient(Protocol):
    """How the witness reaches the log (HTTP in production)."""

    def checkpoint(self) -> str: ...
    def consistency(self, old: int, new: int) -> list[bytes]: ...
    def post_cosignature(self, size: int, line: str) -> None: ...


@dataclass(frozen=True)
class WitnessState:
    """The last checkpoint the witness cosigned."""

    origin: str
    size: int
    root: bytes

    @classmethod
    def load(cls, path: Path) -> "WitnessState | None":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                str(document["origin"]),
                int(document["size"]),
                base64.b64decode(document["root"], validate=True),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LedgerError(f"{path}: the witness state cannot be read: {exc}") from None

    def save(self, path: Path) -> None:
        """Written to a new file then renamed over the old: never half a state."""
        document = {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode("ascii"),
        }
        partial = path.with_name(path.name + ".partial")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)


@dataclass(frozen=True)
class Cosigned:
    checkpoint: Checkpoint
    previous: int | None
    line: str


def witness_once(
    client: LogClient, log_key: Verifier, signer: Signer, state_path: Path, now: int
) -> Cosigned:
    """Check and cosign the log's latest checkpoint; Refused when it is inconsistent."""
    try:
        note = open_note(client.checkpoint(), log_key)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as exc:
        raise Refused(f"the log's checkpoint does not verify: {exc}") from None
    if checkpoint.origin != log_key.name:
        raise Refused(f"the checkpoint is of log {checkpoint.origin!r}, not {log_key.name!r}")
    state = WitnessState.load(state_path)
    if state is not None:
        if state.origin != checkpoint.origin:
            raise LedgerError(
                f"{state_path} is the state of log {state.origin!r}: give this log its own state"
            )
        _check_consistent(client, state, checkpoint)
    line = cosign(note.text, signer, now)
    client.post_cosignature(checkpoint.size, str(line))
    WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root).save(state_path)
    return Cosigned(checkpoint, state.size if state else None, str(line))


def _check_consistent(client: LogClient, state: WitnessState, checkpoint: Checkpoint) -> None:
    if checkpoint.size < state.size:
        raise Refused(
            f"the log shows a tree of {checkpoint.size} events after one of {state.size}: "
            "it shrank; not cosigning"
        )
    if checkpoint.size == state.size:
        if checkpoint.root != state.root:
            raise Refused(
                f"the log shows another root for the tree of {state.size} events than the "
                "one cosigned before: it forked; not cosigning"
            )
        return
    if state.size == 0:
        return
    proof = client.consistency(state.size, checkpoint.size)
    try:
        verify_consistency(state.size, checkpoint.size, state.root, checkpoint.root, proof)
    except ProofError as exc:
        raise Refused(
            f"the tree of {checkpoint.size} events does not extend the one of {state.size} "
            f"cosigned before ({exc}): the log forked; not cosigning"
        ) from None
