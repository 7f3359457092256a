"""Producer signatures over HTTP: signed events posted as their exact bytes, refused with
a 422 naming the field when the key register refuses them, on both transports; only an
admin key changes the register."""

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.config import KafkaSettings
from ledger.domain.events import Event
from ledger.log.producer_signing import ProducerSigner, encode_signature
from ledger.web.keys import Role
from tests.factories import claim_by, json_line, key_registered, key_revoked, template_world
from tests.helpers import Api, serving
from tests.kafka.helpers import archive_all, rejected_reasons


def signed(api: Api, event: Event, signer: ProducerSigner) -> dict[str, str]:
    payload = api.ledger.codec.encode(event)
    return {
        "payload": base64.b64encode(payload).decode(),
        "signature": encode_signature(signer.sign(payload)),
    }


@pytest.fixture
def signer() -> ProducerSigner:
    return ProducerSigner.generate()


@pytest.fixture
def direct(database_url: str, signer: ProducerSigner) -> Iterator[Api]:
    with serving(database_url) as api:
        api.ledger.append(
            [*template_world(), key_registered(signer.public_key_text, "desk", required=True)]
        )
        yield api


@pytest.fixture
def via_kafka(
    database_url: str, kafka_settings: KafkaSettings, signer: ProducerSigner
) -> Iterator[Api]:
    with serving(database_url, kafka=kafka_settings) as api:
        api.ledger.append(
            [*template_world(), key_registered(signer.public_key_text, "desk", required=True)]
        )
        yield api


def problem_fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("transport", ["direct", "via_kafka"])
def test_a_signed_event_is_appended_byte_for_byte(
    transport: str, request: pytest.FixtureRequest, signer: ProducerSigner
) -> None:
    api: Api = request.getfixturevalue(transport)
    event = claim_by("desk")
    body = signed(api, event, signer)
    response = api.post("/events/batch", {"events": [body]})
    assert response.status_code in (201, 202), response.text
    if transport == "via_kafka":
        archive_all(api.ledger, request.getfixturevalue("kafka_settings"))
    stored = list(api.ledger.read())[-1]
    assert stored.payload == base64.b64decode(body["payload"])
    assert stored.signature == base64.b64decode(body["signature"])


@pytest.mark.parametrize("transport", ["direct", "via_kafka"])
def test_what_the_register_refuses_is_a_422_naming_the_field(
    transport: str, request: pytest.FixtureRequest, signer: ProducerSigner
) -> None:
    api: Api = request.getfixturevalue(transport)
    revoked = ProducerSigner.generate()
    api.ledger.append([key_registered(revoked.public_key_text, "desk")])
    api.ledger.append([key_revoked(revoked.key_id, "desk")])
    head = api.ledger.head().position
    bad = signed(api, claim_by("desk"), signer)
    bad["payload"] = signed(api, claim_by("desk"), signer)["payload"]  # other bytes
    cases = {
        "must sign its events": json_line("ClaimAsserted", envelope=_by("desk")),
        "does not verify with key": bad,
        "revoked at position": signed(api, claim_by("desk"), revoked),
        "which is not registered": signed(api, claim_by("desk"), ProducerSigner.generate()),
    }
    for expected, item in cases.items():
        ok = signed(api, claim_by("desk"), signer)
        response = api.post("/events/batch", {"events": [ok, item]})
        assert response.status_code == 422, response.text
        assert problem_fields(response) == ["body.events[1].signature"]
        assert expected in response.json()["errors"][0]["message"]
    assert api.ledger.head().position == head  # nothing of any batch
    if transport == "via_kafka":
        archive_all(api.ledger, request.getfixturevalue("kafka_settings"))
        assert api.ledger.head().position == head and not rejected_reasons(api.ledger)


def test_a_malformed_signed_event_is_a_422_naming_its_field(
    direct: Api, signer: ProducerSigner
) -> None:
    good = signed(direct, claim_by("desk"), signer)
    cases = [
        ({**good, "payload": "not base64!"}, "body.payload", "not base64"),
        (
            {**good, "payload": base64.b64encode(b"\xc3\x01" + bytes(9)).decode()},
            "body.payload",
            "",
        ),
        ({**good, "signature": encode_signature(bytes(10))}, "body.signature", "is 10 bytes"),
        ({**good, "extra": 1}, "body.extra", "only payload and signature"),
        ({"payload": 5, "signature": "x"}, "body.payload", "expected base64 text"),
    ]
    for body, field, words in cases:
        response = direct.post("/events", body)
        assert response.status_code == 422, response.text
        assert problem_fields(response) == [field]
        assert words in response.json()["errors"][0]["message"]


def test_only_an_admin_key_changes_the_register(direct: Api) -> None:
    other = ProducerSigner.generate()
    line = {"type": "ProducerKeyRegistered", **_registration(other)}
    response = direct.post("/events", line, role=Role.PRODUCER)
    assert response.status_code == 403
    assert "only an admin key changes the producer key register" in response.text
    assert direct.post("/events", line, role=Role.ADMIN).status_code == 201


def _by(producer: str) -> dict[str, str]:
    return {"event_id": str(uuid.uuid4()), "recorded_by": producer}


def _registration(signer: ProducerSigner) -> dict[str, Any]:
    event = key_registered(signer.public_key_text, "field-team")
    return event.model_dump(mode="json")
