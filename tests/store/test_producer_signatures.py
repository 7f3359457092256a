"""Producer signatures on the direct path, against the real PostgreSQL: checked against
the key register before anything is appended, kept beside the payload, and ending the
event's Merkle leaf."""

from collections.abc import Iterator

import pytest

from ledger.chain import epoch_micros
from ledger.config import Settings
from ledger.domain.events import Event
from ledger.log import merkle
from ledger.log.leaf import event_leaf_hash
from ledger.log.producer_signing import ProducerSigner
from ledger.runtime import open_ledger
from ledger.store.merkle import MerkleTree
from ledger.store.postgres import PIPELINE_CHUNK, PostgresLedger
from ledger.store.producer_keys import SignatureRefused
from tests.factories import claim_by, key_registered, key_revoked


def claim(producer: str = "desk") -> Event:
    return claim_by(producer)


def register(signer: ProducerSigner, producer: str = "desk", *, required: bool = False) -> Event:
    return key_registered(signer.public_key_text, producer, required=required)


def revoke(signer: ProducerSigner, producer: str = "desk") -> Event:
    return key_revoked(signer.key_id, producer)


@pytest.fixture
def signer() -> ProducerSigner:
    return ProducerSigner.generate()


def test_a_signed_event_is_kept_with_its_signature(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([register(signer)])
    event = claim()
    [receipt] = ledger.append([event], signer=signer)
    stored = next(ledger.read(after=receipt.position - 1))
    assert stored.signature == signer.sign(stored.payload)
    assert stored.signature[:8].hex() == signer.key_id


def test_the_merkle_leaf_ends_with_the_signature(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([register(signer), claim()])
    ledger.append([claim() for _ in range(5)], signer=signer)
    leaves = [
        event_leaf_hash(e.position, epoch_micros(e.recorded_at), e.payload, e.signature or b"")
        for e in ledger.read()
    ]
    assert MerkleTree(ledger).root(len(leaves)) == _root(leaves)


def _root(leaves: list[bytes]) -> bytes:
    """RFC 9162's MTH, straight from its definition."""
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_root(leaves[:split]), _root(leaves[split:]))


def test_unsigned_events_are_refused_once_the_producer_requires_signatures(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([claim()])  # before any policy
    ledger.append([register(signer, required=True)])
    head = ledger.head().position
    with pytest.raises(
        SignatureRefused, match=r"record 2, signature: producer .desk. must sign"
    ) as caught:
        ledger.append([claim("someone else"), claim()])
    assert caught.value.refused[0][0] == 1
    assert ledger.head().position == head  # nothing of the batch
    ledger.append([claim()], signer=signer)


def test_a_bad_signature_is_refused(ledger: PostgresLedger, signer: ProducerSigner) -> None:
    ledger.append([register(signer)])
    encoded = ledger.encode(claim(), signer)
    tampered = type(encoded)(
        **{**encoded.__dict__, "payload": encoded.payload[:-1] + bytes([encoded.payload[-1] ^ 1])}
    )
    with pytest.raises(SignatureRefused, match="does not verify with key"):
        ledger.append_encoded([tampered])
    impostor = ProducerSigner.generate()
    with pytest.raises(SignatureRefused, match="which is not registered"):
        ledger.append([claim()], signer=impostor)


def test_a_revoked_key_signs_nothing_more(ledger: PostgresLedger, signer: ProducerSigner) -> None:
    ledger.append([register(signer)])
    ledger.append([claim()], signer=signer)
    [revoked] = ledger.append([revoke(signer)])
    with pytest.raises(SignatureRefused, match=f"revoked at position {revoked.position}"):
        ledger.append([claim()], signer=signer)


def test_a_key_registered_earlier_in_the_batch_signs_later_events(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    items = [ledger.encode(register(signer)), ledger.encode(claim(), signer)]
    assert [r.appended for r in ledger.append_encoded(items)] == [True, True]


def test_a_large_pipelined_batch_is_checked_chunk_by_chunk(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([register(signer, required=True)])
    signed = [claim() for _ in range(PIPELINE_CHUNK * 2 + 7)]
    assert len(ledger.append(iter(signed), signer=signer)) == len(signed)
    head = ledger.head().position
    unsigned = [claim("another") for _ in range(PIPELINE_CHUNK + 3)] + [claim()]
    with pytest.raises(
        SignatureRefused, match=f"record {PIPELINE_CHUNK + 4}, signature: producer .desk."
    ):
        ledger.append(iter(unsigned))
    assert ledger.head().position == head


@pytest.fixture
def second(database_url: str) -> Iterator[PostgresLedger]:
    with open_ledger(Settings(database_url=database_url), prepare="check") as other:
        yield other


def test_a_register_changed_by_another_writer_is_read_before_appending(
    ledger: PostgresLedger, second: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([claim()])  # this store now holds the (empty) register
    second.append([register(signer, required=True)])  # another writer requires signatures
    with pytest.raises(SignatureRefused, match="must sign its events"):
        ledger.append([claim()])
    second.append([revoke(signer)])
    with pytest.raises(SignatureRefused, match="revoked at position"):
        ledger.append([claim()], signer=signer)


def test_a_key_revoked_earlier_in_the_batch_is_named_so(
    ledger: PostgresLedger, signer: ProducerSigner
) -> None:
    ledger.append([register(signer)])
    items = [ledger.encode(revoke(signer)), ledger.encode(claim(), signer)]
    with pytest.raises(SignatureRefused, match=r"record 2, signature: .* revoked earlier in this"):
        ledger.append_encoded(items)
