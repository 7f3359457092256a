"""The key register's rules, one test each (``ledger.log.producer_keys``)."""

from pathlib import Path

import pytest

from ledger.errors import LedgerError
from ledger.log.producer_keys import ProducerKeys
from ledger.log.producer_signing import ProducerSigner, split, verifies
from tests.factories import make

PAYLOAD = b"\xc3\x01" + bytes(8) + b"an event's exact bytes"


def registered(signer: ProducerSigner, producer: str = "desk", **more: object) -> ProducerKeys:
    keys = ProducerKeys()
    event = make(
        "ProducerKeyRegistered", producer=producer, public_key=signer.public_key_text, **more
    )
    assert keys.refusal(event) is None
    keys.apply(3, event)
    return keys


def test_a_signature_is_the_key_id_then_ed25519_over_the_exact_bytes() -> None:
    signer = ProducerSigner.generate()
    signature = signer.sign(PAYLOAD)
    key_id, raw = split(signature)
    assert len(signature) == 72 and key_id == signer.key_id
    assert verifies(signer.public_key, PAYLOAD, raw)
    assert not verifies(signer.public_key, PAYLOAD + b"!", raw)


def test_unsigned_events_pass_until_the_producer_requires_signatures() -> None:
    signer = ProducerSigner.generate()
    assert registered(signer).problem("desk", PAYLOAD, None) is None
    strict = registered(signer, require_signatures=True)
    assert "must sign its events (required at position 3)" in str(
        strict.problem("desk", PAYLOAD, None)
    )
    assert strict.problem("another desk", PAYLOAD, None) is None


def test_a_valid_signature_of_the_producers_own_key_passes() -> None:
    signer = ProducerSigner.generate()
    assert registered(signer).problem("desk", PAYLOAD, signer.sign(PAYLOAD)) is None


def test_a_signature_over_other_bytes_is_refused() -> None:
    signer = ProducerSigner.generate()
    problem = registered(signer).problem("desk", PAYLOAD + b"x", signer.sign(PAYLOAD))
    assert "does not verify" in str(problem)


def test_an_unregistered_key_is_refused() -> None:
    stranger = ProducerSigner.generate()
    problem = registered(ProducerSigner.generate()).problem("desk", PAYLOAD, stranger.sign(PAYLOAD))
    assert f"key {stranger.key_id}, which is not registered" in str(problem)


def test_another_producers_key_is_refused() -> None:
    signer = ProducerSigner.generate()
    problem = registered(signer, producer="other").problem("desk", PAYLOAD, signer.sign(PAYLOAD))
    assert "of producer 'other', but recorded_by says 'desk'" in str(problem)


def test_a_revoked_key_signs_nothing_after_its_revocation() -> None:
    signer = ProducerSigner.generate()
    keys = registered(signer)
    revocation = make("ProducerKeyRevoked", producer="desk", key_id=signer.key_id)
    assert keys.refusal(revocation) is None
    keys.apply(9, revocation)
    assert "revoked at position 9" in str(keys.problem("desk", PAYLOAD, signer.sign(PAYLOAD)))
    assert "was revoked already at position 9" in str(keys.refusal(revocation))
    again = make("ProducerKeyRegistered", producer="desk", public_key=signer.public_key_text)
    assert "a revoked key never returns" in str(keys.refusal(again))


def test_a_signature_of_the_wrong_length_is_refused() -> None:
    signer = ProducerSigner.generate()
    assert "is 10 bytes" in str(registered(signer).problem("desk", PAYLOAD, bytes(10)))


def test_a_key_belongs_to_one_producer_and_only_its_own_keys_are_revoked() -> None:
    signer = ProducerSigner.generate()
    keys = registered(signer)
    theft = make("ProducerKeyRegistered", producer="other", public_key=signer.public_key_text)
    assert "registered to producer 'desk' already" in str(keys.refusal(theft))
    foreign = make("ProducerKeyRevoked", producer="other", key_id=signer.key_id)
    assert "has no key" in str(keys.refusal(foreign))


def test_a_requirement_to_sign_is_never_lifted_by_a_later_registration() -> None:
    first, second = ProducerSigner.generate(), ProducerSigner.generate()
    keys = registered(first, require_signatures=True)
    relaxed = make("ProducerKeyRegistered", producer="desk", public_key=second.public_key_text)
    keys.apply(5, relaxed)
    assert "required at position 3" in str(keys.problem("desk", PAYLOAD, None))
    assert keys.problem("desk", PAYLOAD, second.sign(PAYLOAD)) is None


def test_a_key_file_round_trips_and_bad_files_say_what_they_are(tmp_path: Path) -> None:
    folder = tmp_path
    signer = ProducerSigner.generate()
    signer.save(folder / "desk.key")
    assert ProducerSigner.load(folder / "desk.key").key_id == signer.key_id
    assert oct((folder / "desk.key").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(LedgerError, match="never overwritten"):
        signer.save(folder / "desk.key")
    (folder / "bad.key").write_text("hello\n")
    with pytest.raises(LedgerError, match="not a producer key file"):
        ProducerSigner.load(folder / "bad.key")
    with pytest.raises(LedgerError, match="no such key file"):
        ProducerSigner.load(folder / "none.key")
