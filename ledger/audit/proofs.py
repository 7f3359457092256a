"""``prove``: a proof bundle for chosen events, or for every event an answer rests on,
from the ledger's latest signed checkpoint (see ``ledger.log.bundle``)."""

from collections.abc import Iterable
from typing import Any

from ledger.errors import LedgerError
from ledger.log.bundle import Bundle, Consistency, ProvenEvent
from ledger.log.note import Signer
from ledger.store.audit_reads import proof_rows
from ledger.store.checkpoints import Checkpoints, StoredCheckpoint
from ledger.store.merkle import MerkleTree
from ledger.store.postgres import PostgresLedger

MAX_EVENTS = 10_000


def answer_positions(document: Any) -> list[int]:
    """The ledger positions an answer (as ``--json`` prints it) rests on: every
    ``positions`` list and every ``..._position`` value, anywhere in it."""
    found: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "positions" and isinstance(inner, list):
                    found.update(p for p in inner if isinstance(p, int) and p > 0)
                elif key.endswith("_position") and isinstance(inner, int) and inner > 0:
                    found.add(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document)
    return sorted(found)


def prove(
    ledger: PostgresLedger,
    positions: Iterable[int],
    *,
    signer: Signer | None = None,
    since: Iterable[int] = (),
    checkpoint: StoredCheckpoint | None = None,
) -> Bundle:
    """The bundle proving ``positions`` against a checkpoint of the head signed now by
    ``signer`` or, with no signer, against the latest checkpoint the ledger holds, or
    against ``checkpoint`` when given (a long export proves all it holds against one)."""
    wanted = sorted(set(positions))
    if not wanted:
        raise LedgerError("name at least one position to prove")
    if len(wanted) > MAX_EVENTS:
        raise LedgerError(f"{len(wanted):,} events asked for: at most {MAX_EVENTS:,} per bundle")
    checkpoints = Checkpoints(ledger)
    if checkpoint is not None:
        latest: StoredCheckpoint | None = checkpoint
    elif signer is not None:
        latest = checkpoints.issue(signer)[0]
    else:
        latest = checkpoints.latest()
    if latest is None or latest.size < wanted[-1]:
        if signer is not None:
            raise LedgerError(
                f"there is no event at position {wanted[-1]}: the ledger ends at {latest.size}"
                if latest is not None
                else "the ledger is empty"
            )
        raise LedgerError(
            f"no signed checkpoint covers position {wanted[-1]} yet: run `ledger checkpoint`"
        )
    with ledger.connection() as conn:
        rows = proof_rows(conn, wanted)
    missing = sorted(set(wanted) - {int(r[0]) for r in rows})
    if missing:
        raise LedgerError(f"the ledger holds no event at position {missing[0]}")
    tree = MerkleTree(ledger)
    events = [
        ProvenEvent(
            position=int(position),
            recorded_micros=int(micros),
            payload=bytes(payload),
            path=tree.inclusion(int(position), latest.size)[1],
            signature=bytes(signature),
        )
        for position, micros, payload, signature in rows
    ]
    proofs = []
    for size in sorted(set(since)):
        if not 1 <= size <= latest.size:
            raise LedgerError(f"--since {size}: give a tree size from 1 to {latest.size}")
        if size < latest.size:
            proof, old_root, _ = tree.consistency(size, latest.size)
            proofs.append(Consistency(size, old_root, proof))
    return Bundle(checkpoints.served_note(latest), events, proofs)
