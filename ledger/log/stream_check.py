"""What a subscriber checks of the events it is streamed, as it reads them (pure).

Every event: its hash is recomputed from its own bytes, and positions only go up. Where
two events are at consecutive positions, the later one's ``prev_hash`` must be the
earlier one's hash; position 1's is the genesis hash. A reader that does not see every
event has gaps where the hidden ones are: the links across a gap cannot be checked (the
hash of an event it may not see is not shown to it), so it checks each run of
consecutive positions and counts the links it could not check.

A reader that has every event from position 1 also rebuilds the Merkle tree (RFC 9162)
as it goes, and checks each signed checkpoint's root against the events it was given:
then what it read is exactly what the log signed.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from ledger.chain import GENESIS_HASH, chain_hash, epoch_micros
from ledger.errors import BrokenChain
from ledger.log.checkpoint import Checkpoint
from ledger.log.leaf import event_leaf_hash
from ledger.log.merkle import EMPTY_ROOT, node_hash
from ledger.log.note import NoteError, Verifier, open_note, parse_note

RECENT_ROOTS = 10_000
"""Tree roots kept for the last positions read, for checkpoints that arrive after them."""


@dataclass
class TreeOfEvents:
    """The RFC 9162 tree of the events read so far, as its complete subtrees' roots."""

    size: int = 0
    _ranges: list[tuple[int, bytes]] = field(default_factory=list)

    def add(self, leaf: bytes) -> None:
        level, node = 0, leaf
        while self._ranges and self._ranges[-1][0] == level:
            _, left = self._ranges.pop()
            level, node = level + 1, node_hash(left, node)
        self._ranges.append((level, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._ranges:
            return EMPTY_ROOT
        root = self._ranges[-1][1]
        for _, left in reversed(self._ranges[:-1]):
            root = node_hash(left, root)
        return root


@dataclass
class StreamCheck:
    """The checks of one subscriber that starts after position ``after``; ``anchor`` is
    the hash of the event at ``after`` (from an earlier run), if it has it."""

    after: int = 0
    anchor: bytes | None = None
    verifier: Verifier | None = None
    """The log's public key: every checkpoint's signature is checked with it."""
    sees_all: bool = False
    """The reader sees every event (an operator's or admin's view): a gap is an error."""
    unchecked_links: int = 0
    """Links that could not be checked: across a gap, or before the first event."""
    verified_through: int = 0
    """The largest signed checkpoint whose root was rebuilt from the events read."""

    def __post_init__(self) -> None:
        self.position = self.after
        self._last_hash = GENESIS_HASH if self.after == 0 else self.anchor
        self._tree: TreeOfEvents | None = TreeOfEvents() if self.after == 0 else None
        self._roots: OrderedDict[int, bytes] = OrderedDict()
        self._pending: dict[int, bytes] = {}

    def event(
        self,
        position: int,
        recorded_at: datetime,
        payload: bytes,
        prev_hash: bytes,
        hash: bytes,
        signature: bytes | None = None,
    ) -> None:
        """Check one event; ``BrokenChain`` names the position and what does not hold."""
        if position <= self.position:
            raise BrokenChain(
                f"position {position}: it came after position {self.position}; a stream only "
                "goes forward (a repeat or a reordering)"
            )
        if chain_hash(prev_hash, position, recorded_at, payload) != hash:
            raise BrokenChain(
                f"position {position}: its hash is not SHA-256 of its prev_hash, position, "
                "record time and bytes: the event was altered"
            )
        consecutive = position == self.position + 1
        if not consecutive and self.sees_all:
            raise BrokenChain(
                f"position {position}: it came right after position {self.position}; a "
                "reader that sees every event was not sent the ones between"
            )
        if consecutive and self._last_hash is not None:
            if prev_hash != self._last_hash:
                raise BrokenChain(
                    f"position {position}: its prev_hash {prev_hash.hex()[:16]}… is not the "
                    f"hash of position {position - 1} ({self._last_hash.hex()[:16]}…): the "
                    "chain is broken"
                )
        else:
            self.unchecked_links += 1
        if not consecutive:
            self._tree = None  # a gap: the tree cannot be rebuilt from here on
            self._pending.clear()
        self.position, self._last_hash = position, hash
        if self._tree is not None:
            micros = epoch_micros(recorded_at)
            self._tree.add(event_leaf_hash(position, micros, payload, signature or b""))
            self._roots[position] = self._tree.root()
            if len(self._roots) > RECENT_ROOTS:
                self._roots.popitem(last=False)
            root = self._pending.pop(position, None)
            if root is not None:
                self._compare(position, root)

    def checkpoint(self, note: str) -> Checkpoint:
        """Check a signed checkpoint: its signature (with ``verifier``), and its root once
        the events up to its size have been read (when this reader rebuilds the tree)."""
        try:
            text = open_note(note, self.verifier).text if self.verifier else parse_note(note).text
            signed = Checkpoint.parse(text)
        except NoteError as exc:
            raise BrokenChain(f"the checkpoint: {exc}") from None
        if self._tree is None or signed.size == 0:
            return signed
        if signed.size in self._roots:
            self._compare(signed.size, signed.root)
        elif signed.size > self.position:
            self._pending[signed.size] = signed.root
        return signed

    def _compare(self, size: int, root: bytes) -> None:
        if self._roots.get(size) != root:
            raise BrokenChain(
                f"the checkpoint of size {size}: its signed root is not the root of the "
                f"{size} events streamed: what was streamed is not what the log signed"
            )
        self.verified_through = max(self.verified_through, size)
