"""RFC 9162 Merkle tree math: hashing, audit paths, consistency proofs, and their checks.

Pure functions over hashes. A proof is built from the roots of *complete subtrees*
(a level and an index: the node over leaves ``index * 2**level`` up to the next
``2**level``), which the caller fetches in one go from wherever it keeps them, so a proof
for any tree size costs O(log n) reads.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]
"""A complete subtree: (level, index); level 0 is a leaf."""

Range = tuple[int, int]
"""Leaves ``start`` (inclusive) to ``end`` (exclusive)."""

Fetch = Callable[[Sequence[Node]], Mapping[Node, bytes]]
"""Gives the stored hash of each complete subtree asked for."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162 2.1.1)."""


class ProofError(ValueError):
    """A proof that does not prove what it claims, or a request no proof can answer."""


HASH_SIZE = 32


def _sized(*values: bytes) -> None:
    if any(len(v) != HASH_SIZE for v in values):
        raise ProofError(f"a hash in the proof is not {HASH_SIZE} bytes long")


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees whose roots make up the root of leaves [start, end), left
    to right (one node when the range is itself a complete, aligned subtree)."""
    size = end - start
    if size <= 0:
        raise ProofError(f"empty range {start}-{end}")
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    k = _split(size)
    return subtree_nodes(start, start + k) + subtree_nodes(start + k, end)


def subtree_root(start: int, end: int, hashes: Mapping[Node, bytes]) -> bytes:
    """The RFC 9162 root of leaves [start, end) from its complete subtrees' hashes."""
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return hashes[(level, start >> level)]
    k = _split(size)
    return node_hash(subtree_root(start, start + k, hashes), subtree_root(start + k, end, hashes))


def root_nodes(size: int) -> list[Node]:
    """The complete subtrees that make up the root of a tree of ``size`` leaves."""
    return subtree_nodes(0, size) if size > 0 else []


def tree_root(size: int, fetch: Fetch) -> bytes:
    """The root of the first ``size`` leaves."""
    if size == 0:
        return EMPTY_ROOT
    return subtree_root(0, size, fetch(root_nodes(size)))


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose roots form the audit path of leaf ``index`` in a tree of
    ``size`` leaves, bottom up (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The ranges whose roots form the consistency proof from a tree of ``old`` leaves
    to one of ``new`` leaves (RFC 9162 2.1.4.1); empty when nothing needs proving."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from {old} leaves to {new}")
    if old == 0 or old == new:
        return []
    ranges: list[Range] = []
    start, end, whole = 0, new, True
    m = old
    while True:
        if m == end - start:
            if not whole:
                ranges.append((start, end))
            break
        k = _split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return ranges[::-1]


def hashes_of(ranges: Iterable[Range], fetch: Fetch) -> list[bytes]:
    """The roots of ``ranges``, from one fetch of the complete subtrees they need."""
    ranges = list(ranges)
    needed = sorted({node for r in ranges for node in subtree_nodes(*r)})
    found = fetch(needed) if needed else {}
    missing = [n for n in needed if n not in found]
    if missing:
        raise ProofError(f"the tree lacks node {missing[0]} (level, index)")
    return [subtree_root(start, end, found) for start, end in ranges]


def inclusion_proof(index: int, size: int, fetch: Fetch) -> list[bytes]:
    return hashes_of(inclusion_ranges(index, size), fetch)


def consistency_proof(old: int, new: int, fetch: Fetch) -> list[bytes]:
    return hashes_of(consistency_ranges(old, new), fetch)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` and ``leaf`` give (RFC 9162 2.1.3.2); ProofError when the
    proof has the wrong length for this index and size."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    _sized(leaf, *proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows ``leaf`` at ``index`` under ``root``."""
    _sized(root)
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"leaf {index} is not in the tree of {size} leaves with that root")


# RFC 9162 section 2.1.4.2, step by step as the RFC states it
def verify_consistency(  # noqa: C901
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless ``proof`` shows the tree of ``old`` leaves with
    ``old_root`` to be a prefix of the tree of ``new`` leaves with ``new_root``
    (RFC 9162 2.1.4.2). Sizes from 1: every tree extends the empty one, which needs
    no proof (callers with no earlier tree have nothing to check)."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {new} leaves cannot extend one of {old}: it shrank")
    if old == 0:
        raise ProofError("consistency with the empty tree proves nothing: start from size 1")
    if old == new:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old}")
        return
    path = list(proof)
    if not path:
        raise ProofError("the consistency proof is empty")
    _sized(old_root, new_root, *path)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"the proof does not lead to the root of the tree of {old} leaves")
    if sr != new_root:
        raise ProofError(f"the proof does not lead to the root of the tree of {new} leaves")
