"""``verify`` re-checks producer signatures: tampering with them (as a superuser, the
append-only triggers off) is a finding at its position, never a crash."""

import pytest

from ledger.audit.verify import verify
from ledger.log.producer_signing import ProducerSigner
from ledger.store.postgres import PostgresLedger
from tests.audit.tamper import superuser
from tests.factories import claim_by, key_registered, key_revoked


@pytest.fixture
def signer() -> ProducerSigner:
    return ProducerSigner.generate()


@pytest.fixture
def signed(ledger: PostgresLedger, signer: ProducerSigner) -> PostgresLedger:
    """Positions: 1 registers desk's key (signatures required), 2-4 signed claims."""
    ledger.append([key_registered(signer.public_key_text, "desk", required=True)])
    ledger.append([claim_by("desk") for _ in range(3)], signer=signer)
    return ledger


def findings_of(ledger: PostgresLedger, start: int = 1) -> dict[tuple[str, int | None], str]:
    report = verify(ledger, projections=False, start=start)
    return {(f.check, f.position): f.problem for f in report.findings.kept}


def test_a_signed_ledger_verifies(signed: PostgresLedger) -> None:
    assert findings_of(signed) == {}
    assert findings_of(signed, start=3) == {}  # the register before the range is known


def test_an_altered_signature_is_found_at_its_position(
    signed: PostgresLedger, database_url: str
) -> None:
    with superuser(database_url) as conn:
        conn.execute(
            "UPDATE ledger.events SET signature = set_byte(signature, 71,"
            " get_byte(signature, 71) # 1) WHERE position = 3"  # one bit of the last byte
        )
    found = findings_of(signed)
    assert "does not verify with key" in found[("producer_signatures", 3)]
    assert ("merkle_tree", 4) in found  # the leaf commits to the signature
    assert {p for _, p in found} == {3, 4}


def test_a_removed_signature_of_a_producer_that_must_sign_is_found(
    signed: PostgresLedger, database_url: str
) -> None:
    with superuser(database_url) as conn:
        conn.execute("UPDATE ledger.events SET signature = NULL WHERE position = 2")
    assert "must sign its events" in findings_of(signed)[("producer_signatures", 2)]


def test_a_signature_after_its_keys_revocation_is_found(
    signed: PostgresLedger, signer: ProducerSigner, database_url: str
) -> None:
    signed.append([key_revoked(signer.key_id, "desk")])  # position 5
    [late] = signed.append([claim_by("someone")])  # 6: unsigned, allowed
    payload = signed.payload_of(late.event_id)
    assert payload is not None
    with superuser(database_url) as conn:
        conn.execute(
            "UPDATE ledger.events SET signature = %s WHERE position = 6", (signer.sign(payload),)
        )
    found = findings_of(signed)
    assert "of producer 'desk', but recorded_by says 'someone'" in found[("producer_signatures", 6)]


def test_a_key_event_the_register_would_refuse_is_found(
    signed: PostgresLedger, database_url: str
) -> None:
    stray = ProducerSigner.generate()
    [ok] = signed.append([key_registered(stray.public_key_text, "field")])  # position 5
    revocation = signed.encode(key_revoked(stray.key_id, "field"))
    signed.append_encoded([revocation])  # 6
    with superuser(database_url) as conn:  # the registration never happened
        conn.execute(
            "UPDATE ledger.events SET payload = (SELECT payload FROM ledger.events"
            " WHERE position = 2) WHERE position = %s",
            (ok.position,),
        )
    found = findings_of(signed)
    assert "the register should have refused it" in found[("producer_signatures", 6)]
