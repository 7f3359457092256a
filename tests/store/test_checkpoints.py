"""Signed checkpoints kept in the ledger; the log never signs two views of history."""

from pathlib import Path

import psycopg
import pytest

from ledger.domain.events import Event
from ledger.errors import LedgerError
from ledger.log.checkpoint import Checkpoint
from ledger.log.key_file import ensure_signer, load_signer
from ledger.log.note import Signer, open_note
from ledger.store.checkpoints import Checkpoints
from ledger.store.merkle import MerkleTree
from ledger.store.postgres import PostgresLedger
from tests.audit.tamper import flip_payload_byte, superuser
from tests.factories import make


def claims(n: int, tag: str) -> list[Event]:
    return [make("ClaimAsserted", claim_id=f"claim:{tag}-{i}") for i in range(n)]


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("test.example/log")


def test_a_checkpoint_signs_the_head(ledger: PostgresLedger, signer: Signer) -> None:
    checkpoints = Checkpoints(ledger)
    empty, new = checkpoints.issue(signer)
    assert new and empty.size == 0
    ledger.append(claims(5, "a"))
    stored, new = checkpoints.issue(signer)
    body = Checkpoint.parse(open_note(stored.note, signer.verifier).text)
    assert new and body == Checkpoint("test.example/log", 5, MerkleTree(ledger).root(5))
    again, new = checkpoints.issue(signer)
    assert not new and again == stored == checkpoints.latest()
    assert [c.size for c in checkpoints.all()] == [0, 5]


def test_the_log_never_signs_a_rewritten_history(
    ledger: PostgresLedger, database_url: str, signer: Signer
) -> None:
    ledger.append(claims(6, "b"))
    Checkpoints(ledger).issue(signer)
    flip_payload_byte(database_url, 5)  # as a superuser: leaves 5-6 are computed from events
    ledger.append(claims(2, "c"))
    with pytest.raises(LedgerError, match="no longer has the root signed"):
        Checkpoints(ledger).issue(signer)
    assert Checkpoints(ledger).latest().size == 6  # type: ignore[union-attr]


def test_the_log_never_signs_over_a_rewritten_tree(
    ledger: PostgresLedger, database_url: str, signer: Signer
) -> None:
    ledger.append(claims(6, "b"))
    Checkpoints(ledger).issue(signer)
    with superuser(database_url) as conn:  # the subtree of events 1-4, stored
        conn.execute("UPDATE ledger.merkle_nodes SET hash = sha256(hash) WHERE position = 4")
    ledger.append(claims(3, "c"))
    with pytest.raises(LedgerError, match="no longer has the root signed"):
        Checkpoints(ledger).issue(signer)


def test_the_log_never_signs_a_shrunk_tree(
    ledger: PostgresLedger, database_url: str, signer: Signer
) -> None:
    ledger.append(claims(4, "d"))
    Checkpoints(ledger).issue(signer)
    with superuser(database_url) as conn:
        conn.execute("DELETE FROM ledger.events WHERE position = 4")
    with pytest.raises(LedgerError, match="events were removed"):
        Checkpoints(ledger).issue(signer)


def test_a_forged_last_checkpoint_stops_signing(
    ledger: PostgresLedger, database_url: str, signer: Signer
) -> None:
    ledger.append(claims(3, "e"))
    Checkpoints(ledger).issue(signer)
    forger = Signer.generate("test.example/log")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO ledger.checkpoints (size, root, note) VALUES (3000, %s, 'x')",
            (bytes(32),),
        )
    with pytest.raises(LedgerError, match="does not verify with this signing key"):
        Checkpoints(ledger).issue(signer)
    with pytest.raises(LedgerError):
        Checkpoints(ledger).issue(forger)


def test_the_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "home" / "signing.key"
    created, made = ensure_signer(path, "test.example/log")
    again, made_again = ensure_signer(path, "other")
    assert made and not made_again and again.verifier == created.verifier
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("PRIVATE+KEY+broken")
    with pytest.raises(LedgerError, match="signing key is PRIVATE"):
        load_signer(path)
    with pytest.raises(LedgerError, match="run `ledger init`"):
        load_signer(tmp_path / "missing.key")
