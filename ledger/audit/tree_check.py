"""The Merkle tree check of ``verify``: every stored subtree hash is recomputed from the
events as they are scanned, in one pass, in step with the stored nodes (flat memory).

Each stored node is compared with the hash of its two children as stored (or, for the
two lowest levels, which are not stored, as computed from the events), so one damaged
event or node is reported at its own position and not again at every ancestor. The roots
of signed checkpoints are compared as the scan passes their sizes.
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ledger.audit.report import Findings
from ledger.audit.scan import Row
from ledger.log.leaf import event_leaf_hash
from ledger.log.merkle import node_hash

LOWEST_STORED = 2
"""Nodes below this level are computed from the events, never stored."""

StoredNode = tuple[int, int, bytes]
"""(position, level, hash) as the store keeps the tree's nodes, in (position, level) order."""


def root_of(edge: Mapping[int, bytes]) -> bytes | None:
    """The root of a tree from its right edge (level -> hash of the complete subtree)."""
    root: bytes | None = None
    for level in sorted(edge):
        root = edge[level] if root is None else node_hash(edge[level], root)
    return root


class TreeCheck:
    """Checks the tree while the event rows stream past (see ``rows``)."""

    def __init__(
        self,
        findings: Findings,
        stored: Iterable[StoredNode],
        edge: dict[int, bytes] | None = None,
        roots: Mapping[int, tuple[bytes, str]] | None = None,
        first: int = 1,
    ) -> None:
        self._findings = findings
        self._stored: Iterator[StoredNode] = iter(stored)
        self._pending: StoredNode | None = None
        self.edge = dict(edge or {})
        self._roots = roots or {}
        self.roots_seen: set[int] = set()
        self._first = first
        """Nodes over events before this position (a range verify) are taken as stored."""

    def _next_stored(self) -> StoredNode | None:
        if self._pending is None:
            self._pending = next(self._stored, None)
        return self._pending

    def _stored_at(self, position: int) -> dict[int, bytes]:
        """The stored nodes at ``position``; nodes at earlier positions (which no event
        completed) are findings."""
        found: dict[int, bytes] = {}
        while (node := self._next_stored()) is not None and node[0] <= position:
            self._pending = None
            at, level, digest = node
            if at < position:
                self._findings.add(
                    "merkle_tree", at, f"a tree node (level {level}) stands where no event is"
                )
            else:
                found[level] = digest
        return found

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows, unchanged, each checked against the tree on its way through."""
        add = self._findings.add
        edge = self.edge
        for row in rows:
            yield row  # checked once the scan is done with it: its findings come first
            position, micros, payload = row[0], row[1], row[2]
            stored = self._stored_at(position)
            digest = event_leaf_hash(position, micros, payload, row[9])
            level = 0
            while not (position >> level) & 1:
                left = edge.pop(level, None)
                computed = node_hash(left, digest) if left is not None else None
                level += 1
                if level < LOWEST_STORED:
                    if computed is None:  # an event before it is missing: found already
                        level -= 1
                        break
                    digest = computed
                    continue
                kept = stored.pop(level, None)
                if kept is None:
                    add("merkle_tree", position, f"the tree node of level {level} is missing")
                elif (
                    computed is not None
                    and kept != computed
                    and position - (1 << level) + 1 >= self._first
                ):
                    add(
                        "merkle_tree",
                        position,
                        f"the tree node of level {level} is not the hash of its two children",
                    )
                replacement = kept if kept is not None else computed
                if replacement is None:
                    level -= 1
                    break
                digest = replacement
            edge[level] = digest
            for extra in sorted(stored):
                add("merkle_tree", position, f"a tree node of level {extra} does not belong here")
            if position in self._roots:
                self.roots_seen.add(position)
                expected, label = self._roots[position]
                if root_of(edge) != expected:
                    add(
                        "checkpoint",
                        position,
                        f"the tree of the first {position} events does not have the root "
                        f"signed in {label}: history up to here was rewritten",
                    )

    def finish(self) -> None:
        """Stored nodes beyond the last event checked are findings."""
        while (node := self._next_stored()) is not None:
            self._pending = None
            self._findings.add(
                "merkle_tree", node[0], f"a tree node (level {node[1]}) stands where no event is"
            )


def stored_nodes(cursor: Any) -> Iterator[StoredNode]:
    for position, level, digest in cursor:
        yield int(position), int(level), bytes(digest)
