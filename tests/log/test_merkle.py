"""The Merkle tree math against published vectors and an independent implementation.

Vectors: tests/log/transparency_dev_vectors.json, data copied from
github.com/transparency-dev/merkle (Apache-2.0; commit named in the file). The
independent implementation is pymerkle (a test-only dependency) with its RFC 9162
prefixes (``security=True``, the default).
"""

import base64
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from ledger.log import merkle
from ledger.log.merkle import Node, ProofError

VECTORS = json.loads((Path(__file__).parent / "transparency_dev_vectors.json").read_text())


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _cases(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return sorted((k, v) for k, v in VECTORS["cases"].items() if k.startswith(f"testdata/{kind}/"))


class Tree:
    """Every complete subtree of a list of leaves, as the store keeps them."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.nodes: dict[Node, bytes] = {(0, i): merkle.leaf_hash(d) for i, d in enumerate(leaves)}
        level = 0
        while len(leaves) >> (level + 1):
            level += 1
            for i in range(len(leaves) >> level):
                self.nodes[(level, i)] = merkle.node_hash(
                    self.nodes[(level - 1, 2 * i)], self.nodes[(level - 1, 2 * i + 1)]
                )
        self.reads: list[int] = []

    def fetch(self, wanted: Sequence[Node]) -> Mapping[Node, bytes]:
        self.reads.append(len(wanted))
        return {n: self.nodes[n] for n in wanted}


REFERENCE = Tree([bytes.fromhex(h) for h in VECTORS["leaf_inputs_hex"]])


def test_roots_of_the_reference_tree() -> None:
    for size, root in enumerate(VECTORS["root_hashes_hex"]):
        assert merkle.tree_root(size, REFERENCE.fetch).hex() == root


@pytest.mark.parametrize(("name", "case"), _cases("inclusion"), ids=lambda v: str(v))
def test_inclusion_vectors(name: str, case: dict[str, Any]) -> None:
    proof = [_b64(p) for p in case["proof"] or []]
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)
        if case["treeSize"] <= 8 and case["leafHash"] == base64.b64encode(
            REFERENCE.nodes[(0, case["leafIdx"])]
        ).decode("ascii"):
            assert merkle.inclusion_proof(case["leafIdx"], case["treeSize"], REFERENCE.fetch) == (
                proof
            )


@pytest.mark.parametrize(("name", "case"), _cases("consistency"), ids=lambda v: str(v))
def test_consistency_vectors(name: str, case: dict[str, Any]) -> None:
    proof = [_b64(p) for p in case["proof"] or []]
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)
        if case["size2"] <= 8 and _b64(case["root2"]) == merkle.tree_root(
            case["size2"], REFERENCE.fetch
        ):
            assert merkle.consistency_proof(case["size1"], case["size2"], REFERENCE.fetch) == proof


def test_every_proof_of_the_reference_tree_checks() -> None:
    for size in range(1, 9):
        root = merkle.tree_root(size, REFERENCE.fetch)
        for index in range(size):
            path = merkle.inclusion_proof(index, size, REFERENCE.fetch)
            merkle.verify_inclusion(index, size, REFERENCE.nodes[(0, index)], path, root)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, REFERENCE.fetch)
            old_root = merkle.tree_root(old, REFERENCE.fetch)
            merkle.verify_consistency(old, size, old_root, root, proof)


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.lists(st.binary(max_size=12), min_size=1, max_size=70),
    data=st.data(),
)
def test_agrees_with_pymerkle_on_random_trees(leaves: list[bytes], data: st.DataObject) -> None:
    reference = InmemoryTree(algorithm="sha256")
    for leaf in leaves:
        reference.append_entry(leaf)
    tree = Tree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    root = merkle.tree_root(size, tree.fetch)
    assert root == reference.get_root(size)
    path = merkle.inclusion_proof(index, size, tree.fetch)
    assert [reference.get_leaf(index + 1), *path] == reference.prove_inclusion(index + 1, size).path
    merkle.verify_inclusion(index, size, tree.nodes[(0, index)], path, root)
    consistency = merkle.consistency_proof(old, size, tree.fetch)
    merkle.verify_consistency(old, size, reference.get_root(old), root, consistency)
    if consistency:
        bad = list(consistency)
        bad[0] = bytes(32)
        with pytest.raises(ProofError):
            merkle.verify_consistency(old, size, reference.get_root(old), root, bad)


def test_proofs_read_few_nodes_in_one_fetch() -> None:
    tree = Tree([i.to_bytes(4, "big") for i in range(1000)])
    for size in (1000, 777, 513):
        for index in (0, 511, size - 1):
            tree.reads.clear()
            merkle.inclusion_proof(index, size, tree.fetch)
            assert len(tree.reads) == 1 and tree.reads[0] <= 2 * size.bit_length()
        tree.reads.clear()
        merkle.consistency_proof(300, size, tree.fetch)
        assert len(tree.reads) == 1 and tree.reads[0] <= 2 * size.bit_length()


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ProofError, match="not in a tree"):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ProofError, match="shrank"):
        merkle.verify_consistency(5, 4, bytes(32), bytes(32), [])
    assert merkle.tree_root(0, REFERENCE.fetch) == merkle.EMPTY_ROOT
