"""Event-level rules: default streams, valid spans, cross-field checks."""

import pytest
from pydantic import ValidationError

from ledger.domain.events import EVENT_TYPES, ClaimAsserted, DeploymentReported
from tests.factories import ALL_TYPES, event_data, make

EXPECTED_STREAM = {
    "SourceRegistered": "source:test-outlet",
    "SourceReliabilityAssessed": "source:test-outlet",
    "DocumentIngested": "doc:test",
    "ClaimAsserted": "claim:test-1",
    "AttributionMade": "claim:test-1",
    "DeploymentReported": "actor:militia",
    "ClaimAssessed": "claim:test-2",
    "ClaimRetracted": "claim:test-1",
    "ActorRegistered": "actor:militia",
    "PlaceRegistered": "place:town",
    "ProducerKeyRegistered": "producer:test",
    "ProducerKeyRevoked": "producer:test",
    "WitnessKeyRegistered": "witness:witness.example/w1",
    "WitnessKeyRevoked": "witness:witness.example/w1",
}


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_stream_defaults_to_the_subject(event_type: str) -> None:
    assert make(event_type).envelope.stream_id == EXPECTED_STREAM[event_type]


def test_every_type_has_an_expected_stream() -> None:
    assert set(EXPECTED_STREAM) == set(EVENT_TYPES)


def test_unprefixed_ids_get_the_prefix() -> None:
    assert make("ClaimAsserted", claim_id="c-17").envelope.stream_id == "claim:c-17"


def test_explicit_stream_is_kept() -> None:
    data = event_data("ClaimAsserted")
    data["envelope"]["stream_id"] = "operation:idlib"
    assert ClaimAsserted.model_validate(data).envelope.stream_id == "operation:idlib"


def test_valid_span_of_a_deployment_is_its_valid_time() -> None:
    event = make("DeploymentReported")
    assert isinstance(event, DeploymentReported)
    assert event.valid_span() == (event.valid_time.start, event.valid_time.end)


def test_registration_events_have_no_valid_span() -> None:
    assert make("ActorRegistered").valid_span() == (None, None)


def test_content_hash_must_be_sha256_hex() -> None:
    with pytest.raises(ValidationError, match="64 lower-case hex digits"):
        make("DocumentIngested", content_sha256="ABC")


def test_claim_cannot_be_assessed_against_itself() -> None:
    with pytest.raises(ValidationError, match="against itself"):
        make("ClaimAssessed", claim_id="claim:x", related_claim_id="claim:x")


def test_source_cannot_relay_itself() -> None:
    with pytest.raises(ValidationError, match="cannot relay its own words"):
        make("AttributionMade", source_id="source:a", via_source_id="source:a")


def test_ids_cannot_contain_spaces() -> None:
    with pytest.raises(ValidationError, match="pattern"):
        make("ClaimAsserted", claim_id="claim one")


def test_a_producer_key_must_be_32_bytes_of_canonical_base64() -> None:
    for bad in ("not base64!", "AAAA", "A" * 43 + "B"):
        with pytest.raises(ValidationError, match="32-byte Ed25519"):
            make("ProducerKeyRegistered", public_key=bad)


def test_a_revoked_key_is_named_by_its_16_hex_digit_id() -> None:
    with pytest.raises(ValidationError, match="16 lower-case hex"):
        make("ProducerKeyRevoked", key_id="ABCDEF0123456789")
    registered = make("ProducerKeyRegistered")
    assert make("ProducerKeyRevoked", key_id=registered.key_id).key_id == registered.key_id  # type: ignore[attr-defined]
