"""Proof bundles from a real ledger, checked offline: they prove what they claim, no
altered byte passes, and a forked or shrunk log is caught."""

import pytest

from ledger.audit.proofs import answer_positions, prove
from ledger.demo import load_seed
from ledger.errors import LedgerError
from ledger.log.bundle import Bundle, BundleError, ProvenEvent, check_bundle
from ledger.log.checkpoint import Checkpoint
from ledger.log.cosignature import cosign
from ledger.log.note import COSIGNATURE_V1, Signer, parse_note, sign_note
from ledger.log.producer_signing import ProducerSigner
from ledger.store.checkpoints import Checkpoints
from ledger.store.postgres import PostgresLedger
from tests.factories import claim_by, key_registered, make

KEY = Signer.generate("test.example/log")
WITNESS = Signer.generate("witness.example/w1", COSIGNATURE_V1)


@pytest.fixture
def seeded(ledger: PostgresLedger) -> PostgresLedger:
    load_seed(ledger)
    return ledger


def cosigned(data: bytes) -> bytes:
    """The bundle with the witness's cosignature added to its checkpoint."""
    bundle = Bundle.decode(data)
    note = parse_note(bundle.checkpoint)
    line = cosign(note.text, WITNESS, 1_700_000_000)
    return Bundle(f"{bundle.checkpoint}{line}\n", bundle.events, bundle.consistency).encode()


def test_a_bundle_proves_its_events_offline(seeded: PostgresLedger) -> None:
    bundle = prove(seeded, [1, 57, 138], signer=KEY)
    checked = check_bundle(bundle.encode(), KEY.verifier)
    assert checked.positions == [1, 57, 138] and checked.checkpoint.size == 138
    with seeded.connection() as conn:
        row = conn.execute("SELECT payload FROM ledger.events WHERE position = 57").fetchone()
    assert row is not None and bundle.events[1].payload == bytes(row[0])
    with pytest.raises(BundleError, match="no valid signature"):
        check_bundle(bundle.encode(), Signer.generate("test.example/log").verifier)
    event = bundle.events[1]
    moved = ProvenEvent(56, event.recorded_micros, event.payload, event.path)
    with pytest.raises(BundleError, match="position 56 is not in the signed tree"):
        check_bundle(Bundle(bundle.checkpoint, [moved]).encode(), KEY.verifier)


def test_no_altered_byte_passes(seeded: PostgresLedger) -> None:
    data = cosigned(prove(seeded, [3, 100], signer=KEY).encode())
    check_bundle(data, KEY.verifier, [WITNESS.verifier], min_witnesses=1)
    for i in range(len(data)):
        for bit in (0x01, 0x02):  # the low bits: base64's unused trailing bits among them
            changed = data[:i] + bytes([data[i] ^ bit]) + data[i + 1 :]
            with pytest.raises(BundleError):
                check_bundle(changed, KEY.verifier, [WITNESS.verifier], min_witnesses=1)
    with pytest.raises(BundleError, match="at least 1 wanted"):
        check_bundle(prove(seeded, [3], signer=KEY).encode(), KEY.verifier, [WITNESS.verifier], 1)


def test_a_forked_or_shrunk_log_is_caught(seeded: PostgresLedger) -> None:
    early = prove(seeded, [5], signer=KEY).checkpoint
    seeded.append([make("ClaimAsserted", claim_id="claim:later")])
    later = prove(seeded, [5], signer=KEY, since=[138])
    assert check_bundle(later.encode(), KEY.verifier, seen=early).checkpoint.size == 139
    with pytest.raises(BundleError, match="--since 138"):
        check_bundle(prove(seeded, [5], signer=KEY).encode(), KEY.verifier, seen=early)
    # the same key signing another tree of the same size: a fork
    body = Checkpoint.parse(parse_note(later.checkpoint).text)
    forked = sign_note(Checkpoint(body.origin, body.size, bytes(32)).body(), KEY)
    with pytest.raises(BundleError, match="forked"):
        check_bundle(later.encode(), KEY.verifier, seen=forked)
    bigger = sign_note(Checkpoint(body.origin, body.size + 10, bytes(32)).body(), KEY)
    with pytest.raises(BundleError, match="smaller than one the log showed"):
        check_bundle(later.encode(), KEY.verifier, seen=bigger)
    forked_early = sign_note(Checkpoint(body.origin, 138, bytes(32)).body(), KEY)
    with pytest.raises(BundleError, match="forked"):
        check_bundle(later.encode(), KEY.verifier, seen=forked_early)


def test_what_cannot_be_proven_is_refused(ledger: PostgresLedger) -> None:
    with pytest.raises(LedgerError, match="at least one position"):
        prove(ledger, [])
    load_seed(ledger)
    with pytest.raises(LedgerError, match="run `ledger checkpoint`"):
        prove(ledger, [3])
    Checkpoints(ledger).issue(KEY)
    with pytest.raises(LedgerError, match="ends at 138"):
        prove(ledger, [139], signer=KEY)


def test_an_answers_positions_are_found_wherever_they_are() -> None:
    answer = {
        "position": 138,
        "rows": [{"positions": [3, 4], "winner": {"report_position": 9}}, {"positions": [4]}],
    }
    assert answer_positions(answer) == [3, 4, 9]


def test_a_signed_events_bundle_carries_its_signature_in_the_leaf(
    ledger: PostgresLedger,
) -> None:
    producer = ProducerSigner.generate()
    ledger.append([key_registered(producer.public_key_text, "desk")])
    ledger.append([claim_by("desk") for _ in range(3)], signer=producer)
    bundle = prove(ledger, [3], signer=KEY)
    [event] = bundle.events
    assert event.signature == producer.sign(event.payload)
    assert check_bundle(bundle.encode(), KEY.verifier).positions == [3]
    unsigned = ProvenEvent(event.position, event.recorded_micros, event.payload, event.path)
    with pytest.raises(BundleError):
        check_bundle(Bundle(bundle.checkpoint, [unsigned]).encode(), KEY.verifier)
