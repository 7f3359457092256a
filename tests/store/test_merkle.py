"""The Merkle tree PostgreSQL keeps as events are appended, on every path, against the
tree math computed here from the stored events."""

from collections.abc import Mapping, Sequence

import psycopg
import pytest

from ledger.chain import epoch_micros
from ledger.domain.events import Event
from ledger.errors import LedgerError
from ledger.log import merkle
from ledger.log.leaf import event_leaf_hash
from ledger.log.merkle import Node
from ledger.records import EncodedEvent, KafkaOrigin
from ledger.store.archive import ArchiveBatch, store_batch
from ledger.store.merkle import MerkleTree
from ledger.store.postgres import PostgresLedger
from tests.factories import make


def leaves_of(ledger: PostgresLedger) -> list[bytes]:
    return [
        event_leaf_hash(e.position, epoch_micros(e.recorded_at), e.payload, e.signature or b"")
        for e in ledger.read()
    ]


def full_tree(leaves: Sequence[bytes]) -> Mapping[Node, bytes]:
    nodes = {(0, i): h for i, h in enumerate(leaves)}
    level = 0
    while len(leaves) >> (level + 1):
        level += 1
        for i in range(len(leaves) >> level):
            nodes[(level, i)] = merkle.node_hash(
                nodes[(level - 1, 2 * i)], nodes[(level - 1, 2 * i + 1)]
            )
    return nodes


def claims(n: int, tag: str) -> list[Event]:
    return [make("ClaimAsserted", claim_id=f"claim:{tag}-{i}") for i in range(n)]


def test_the_tree_grows_with_every_append(ledger: PostgresLedger) -> None:
    tree = MerkleTree(ledger)
    assert tree.size() == 0 and tree.root(0) == merkle.EMPTY_ROOT
    ledger.append(claims(1, "a"))
    some = claims(6, "b")
    ledger.append(some)
    ledger.append(claims(600, "c"))  # pipelined chunks
    ledger.append(some[:3])  # repeats: nothing new
    leaves = leaves_of(ledger)
    assert len(leaves) == tree.size() == 607
    nodes = full_tree(leaves)
    with ledger.connection() as conn:
        (count,) = conn.execute("SELECT count(*) FROM ledger.merkle_nodes").fetchone() or (0,)
    assert count == sum(1 for level, _ in nodes if level >= 2)  # lower: from the events
    for size in (1, 2, 7, 8, 300, 512, 607):
        assert tree.root(size) == merkle.subtree_root(0, size, nodes)
        for position in {1, size // 2 + 1, size}:
            leaf, path, root = tree.inclusion(position, size)
            assert leaf == leaves[position - 1]
            merkle.verify_inclusion(position - 1, size, leaf, path, root)
    proof, old_root, new_root = tree.consistency(7, 607)
    merkle.verify_consistency(7, 607, old_root, new_root, proof)


def test_the_archiver_path_extends_the_tree(ledger: PostgresLedger) -> None:
    ledger.append(claims(3, "d"))
    items = [
        EncodedEvent.of(e, ledger.codec.encode(e), KafkaOrigin("t", 0, i))
        for i, e in enumerate(claims(5, "k"))
    ]
    store_batch(ledger, ArchiveBatch("t", events=items, next_offsets={0: 5}), {})
    leaves = leaves_of(ledger)
    assert MerkleTree(ledger).root(8) == merkle.subtree_root(0, 8, full_tree(leaves))


def test_a_ledger_from_before_the_tree_gets_it_on_upgrade(
    ledger: PostgresLedger, database_url: str
) -> None:
    ledger.append(claims(11, "old"))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM ledger.merkle_nodes")
        conn.execute("DELETE FROM ledger.migrations WHERE version = 6")
        conn.execute("DROP FUNCTION ledger.merkle_extend, ledger.merkle_node, ledger.merkle_leaf")
        conn.execute("DROP TABLE ledger.merkle_nodes")
    ledger.init()
    assert MerkleTree(ledger).root(11) == merkle.subtree_root(0, 11, full_tree(leaves_of(ledger)))


def test_proofs_beyond_the_head_are_refused(ledger: PostgresLedger) -> None:
    ledger.append(claims(4, "e"))
    tree = MerkleTree(ledger)
    with pytest.raises(LedgerError, match="beyond the ledger's head at position 4"):
        tree.inclusion(2, 5)
    with pytest.raises(LedgerError, match="is not in a tree of 3 events"):
        tree.inclusion(4, 3)
    with pytest.raises(LedgerError, match="sizes go from 1"):
        tree.consistency(3, 2)


def test_the_tree_is_append_only(ledger: PostgresLedger) -> None:
    ledger.append(claims(4, "f"))
    with pytest.raises(LedgerError, match="append-only"), ledger.connection() as conn:
        conn.execute("UPDATE ledger.merkle_nodes SET hash = hash WHERE position = 4")
