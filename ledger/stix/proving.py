"""The prover an export with proofs uses: inclusion proofs of any positions, all against
one signed checkpoint covering the export's position (the latest; with the signing key,
one signed now when none covers it yet)."""

from ledger.audit.proofs import prove
from ledger.errors import LedgerError
from ledger.log.bundle import Bundle
from ledger.log.note import Signer
from ledger.ports import LedgerStore
from ledger.stix.export import Prover
from ledger.store.checkpoints import StoredCheckpoint


class NoCheckpoint(LedgerError):
    """No signed checkpoint covers the position to prove (and none could be signed)."""


def checkpoint_for(
    ledger: LedgerStore, position: int, signer: Signer | None = None
) -> StoredCheckpoint:
    checkpoints = ledger.checkpoints
    latest = checkpoints.latest()
    if latest is None or latest.size < position:
        if signer is None:
            raise NoCheckpoint(
                f"no signed checkpoint covers position {position} yet: run `ledger checkpoint`"
            )
        latest = checkpoints.issue(signer)[0]
    return latest


def prover(ledger: LedgerStore, checkpoint: StoredCheckpoint) -> Prover:
    def proofs(positions: list[int]) -> Bundle:
        return prove(ledger, positions, checkpoint=checkpoint)

    return proofs
