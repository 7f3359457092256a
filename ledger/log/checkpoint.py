"""C2SP tlog-checkpoint bodies: the log's origin, tree size and root, one per line."""

import base64
import binascii
from dataclasses import dataclass

from ledger.log.note import NoteError


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        """The first three lines of a checkpoint body (extension lines are allowed)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is at least three lines: origin, size, root")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteError("the checkpoint's origin line is empty")
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"the checkpoint's size {size[:30]!r} is not a decimal number")
        try:
            digest = base64.b64decode(root.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            digest = b""
        if len(digest) != 32 or base64.b64encode(digest).decode("ascii") != root:
            raise NoteError("the checkpoint's root is not a base64 SHA-256 hash")
        return cls(origin, int(size), digest)
