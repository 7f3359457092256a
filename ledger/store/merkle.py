"""The Merkle tree as PostgreSQL keeps it: roots and proofs from ``ledger.merkle_nodes``.

The append function fills the table (see migration 0006); this module only reads it.
The two lowest levels are not stored: the database computes them from the event rows.
A proof for any tree size up to the head takes one query of O(log n) primary-key lookups.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from ledger.errors import LedgerError
from ledger.log import merkle
from ledger.log.merkle import Node, ProofError
from ledger.ports import LedgerStore

Conn = psycopg.Connection[Any]

_NODES = """
SELECT want."position", want.level, ledger.merkle_node(want."position", want.level)
  FROM unnest(%s::bigint[], %s::smallint[]) AS want("position", level)
"""


def stored_key(node: Node) -> tuple[int, int]:
    """(position, level) of the row holding a complete subtree (level, index)."""
    level, index = node
    return (index + 1) << level, level


def fetch_nodes(conn: Conn, nodes: Sequence[Node]) -> Mapping[Node, bytes]:
    """The stored hashes of these complete subtrees, in one query."""
    keys = [stored_key(n) for n in nodes]
    rows = conn.execute(_NODES, ([k[0] for k in keys], [k[1] for k in keys])).fetchall()
    return {
        (int(level), (int(pos) >> int(level)) - 1): bytes(h)
        for pos, level, h in rows
        if h is not None
    }


def root_at(conn: Conn, size: int) -> bytes:
    """The root of the tree of the first ``size`` events, read through ``conn``."""
    try:
        return merkle.tree_root(size, lambda nodes: fetch_nodes(conn, nodes))
    except (ProofError, KeyError) as exc:
        raise LedgerError(f"the Merkle tree of size {size} is incomplete: {exc}") from None


def consistency_at(conn: Conn, old: int, new: int) -> list[bytes]:
    """The consistency proof from ``old`` events to ``new``, read through ``conn``."""
    try:
        return merkle.consistency_proof(old, new, lambda nodes: fetch_nodes(conn, nodes))
    except (ProofError, KeyError) as exc:
        raise LedgerError(f"the Merkle tree is incomplete: {exc}") from None


class MerkleTree:
    """Roots and proofs of the tree over the ledger's first ``size`` events."""

    def __init__(self, ledger: LedgerStore) -> None:
        self._ledger = ledger

    def size(self) -> int:
        """The tree's size: the head position (the tree grows in the same transaction)."""
        return self._ledger.head().position

    def _checked(self, conn: Conn, size: int, what: str) -> None:
        row = conn.execute("SELECT max(position) FROM ledger.events").fetchone()
        head = int(row[0]) if row and row[0] is not None else 0
        if not 0 <= size <= head:
            raise LedgerError(f"{what} {size} is beyond the ledger's head at position {head}")

    def root(self, size: int) -> bytes:
        with self._ledger.connection() as conn:
            self._checked(conn, size, "tree size")
            return self._root(conn, size)

    def _root(self, conn: Conn, size: int) -> bytes:
        return root_at(conn, size)

    def inclusion(self, position: int, size: int) -> tuple[bytes, list[bytes], bytes]:
        """(leaf hash, audit path, root) proving ``position`` in the tree of ``size``:
        every node they need comes back in one query (stored nodes never change)."""
        if not 1 <= position <= size:
            raise LedgerError(
                f"position {position} is not in a tree of {size} events (positions 1-{size})"
            )
        ranges = merkle.inclusion_ranges(position - 1, size)
        leaf_node = (0, position - 1)
        wanted = {node for r in ranges for node in merkle.subtree_nodes(*r)}
        wanted |= {leaf_node, *merkle.root_nodes(size)}
        with self._ledger.connection() as conn:
            found = fetch_nodes(conn, sorted(wanted))
            if len(found) < len(wanted):
                self._checked(conn, size, "tree size")
                raise LedgerError(f"the Merkle tree of size {size} is incomplete")
        path = [merkle.subtree_root(start, end, found) for start, end in ranges]
        return found[leaf_node], path, merkle.subtree_root(0, size, found)

    def consistency(self, old: int, new: int) -> tuple[list[bytes], bytes, bytes]:
        """(proof, old root, new root) showing the tree of ``old`` events is a prefix of
        the tree of ``new``."""
        if not 1 <= old <= new:
            raise LedgerError(
                f"no consistency proof from {old} to {new}: sizes go from 1 up to the later one"
            )
        with self._ledger.connection() as conn, conn.transaction():
            self._checked(conn, new, "tree size")
            return consistency_at(conn, old, new), root_at(conn, old), root_at(conn, new)
