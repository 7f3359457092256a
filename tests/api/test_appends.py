"""Appends through HTTP, read back through the posture and event routes."""

import uuid
from datetime import UTC, datetime

import pytest

from ledger.config import KafkaSettings
from ledger.web.keys import Role
from tests.factories import json_line
from tests.helpers import Api, serving
from tests.kafka.helpers import archive_all


def _report(**overrides: object) -> dict[str, object]:
    return json_line(
        "DeploymentReported",
        report_id=f"dep:{uuid.uuid4().hex[:8]}",
        claim_id="claim:seed-05",
        actor_id="actor:united-nations",  # registered by the seed, with no deployment
        place={"name": "Idlib", "place_id": "place:idlib", "precision": "AREA"},
        **overrides,
    )


def test_one_event_appended_then_read_back(fresh_api: Api) -> None:
    event = _report()
    response = fresh_api.post("/events", event)
    assert response.status_code == 201, response.text
    receipt = response.json()["receipts"][0]
    assert response.json()["transport"] == "direct"
    assert receipt["appended"] is True and receipt["position"] == 139
    assert receipt["event_id"] == event["envelope"]["event_id"]  # type: ignore[index]
    stored = fresh_api.get(f"/events/{receipt['event_id']}")
    assert stored["position"] == 139 and stored["body"]["report_id"] == event["report_id"]
    fresh_api.project()
    rows = fresh_api.get("/posture", actor="actor:united-nations")["items"]
    assert [r["report_position"] for r in rows] == [139]


def test_reposting_the_same_event_is_idempotent(fresh_api: Api) -> None:
    event = _report()
    assert fresh_api.post("/events", event).status_code == 201
    again = fresh_api.post("/events", event)
    assert again.status_code == 200
    assert again.json()["receipts"][0] == {
        "event_id": event["envelope"]["event_id"],  # type: ignore[index]
        "position": 139,
        "appended": False,
        "topic": None,
        "partition": None,
        "offset": None,
    }
    assert fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"] == 139


def test_same_id_with_other_content_is_a_409(fresh_api: Api) -> None:
    event = _report()
    assert fresh_api.post("/events", event).status_code == 201
    changed = {**event, "activity": "WITHDRAWN"}
    response = fresh_api.post("/events", changed)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert event["envelope"]["event_id"] in response.json()["detail"]  # type: ignore[index]


def test_a_batch_goes_in_whole_with_receipts_in_order(fresh_api: Api) -> None:
    batch = [_report() for _ in range(5)]
    response = fresh_api.post("/events/batch", {"events": batch})
    assert response.status_code == 201, response.text
    receipts = response.json()["receipts"]
    assert [r["position"] for r in receipts] == [139, 140, 141, 142, 143]
    assert [r["event_id"] for r in receipts] == [e["envelope"]["event_id"] for e in batch]  # type: ignore[index]
    page = fresh_api.get("/events", after=138)
    assert [e["body"]["report_id"] for e in page["items"]] == [e["report_id"] for e in batch]


def test_a_batch_with_one_bad_event_appends_nothing_and_names_it(fresh_api: Api) -> None:
    batch = [_report(), _report(), _report(), _report()]
    batch[2] = {**batch[2], "activity": "DANCING"}
    response = fresh_api.post("/events/batch", {"events": batch})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["message"].startswith("batch record 3, field activity:")
    assert "DANCING" in problem["detail"]
    assert fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"] == 138
    assert fresh_api.get("/events", after=138)["items"] == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{not json", "not valid JSON"),
        ('{"events": []}', "at least one event"),
        ('{"events": [], "extra": 1}', "at least one event"),
        ("[1, 2]", "expected"),
    ],
)
def test_unreadable_batches_are_422(fresh_api: Api, body: str, says: str) -> None:
    headers = {**fresh_api.headers(Role.PRODUCER), "content-type": "application/json"}
    response = fresh_api.client.post("/events/batch", content=body, headers=headers)
    assert response.status_code == 422
    assert says in response.json()["detail"]
    assert fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"] == 138


def test_one_event_of_unknown_type_is_named(fresh_api: Api) -> None:
    response = fresh_api.post("/events", {**_report(), "type": "DeploymentReport"})
    assert response.status_code == 422
    assert "did you mean DeploymentReported?" in response.json()["detail"]


def test_retraction_posted_later_leaves_as_of_answers_unchanged(fresh_api: Api) -> None:
    before = fresh_api.get("/posture", actor="actor:hezbollah", limit=1000)
    moment = datetime.now(UTC).isoformat()
    claim = before["items"][0]["positions"][0]
    report = fresh_api.get("/events", after=claim - 1, limit=1)["items"][0]["body"]
    retraction = json_line(
        "ClaimRetracted",
        claim_id=report["claim_id"],
        reason="the source withdrew it",
    )
    assert fresh_api.post("/events", retraction).status_code == 201
    fresh_api.project()
    now = fresh_api.get("/posture", actor="actor:hezbollah", limit=1000, include_retracted=True)
    then = fresh_api.get("/posture", actor="actor:hezbollah", limit=1000, as_of=moment)
    assert then["read_at"]["position"] == 138
    assert then["items"] == before["items"]
    assert now["read_at"]["position"] == 139
    assert now["items"] != before["items"]


def test_appends_via_kafka_answer_with_offsets(
    database_url: str, kafka_settings: KafkaSettings
) -> None:
    with serving(database_url, kafka=kafka_settings) as api:
        batch = [json_line("SourceRegistered", source_id=f"source:k{i}") for i in range(3)]
        response = api.post("/events/batch", {"events": batch})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["transport"] == "kafka"
        assert {r["topic"] for r in body["receipts"]} == {kafka_settings.topic}
        assert all(r["offset"] is not None and r["position"] is None for r in body["receipts"])
        archive_all(api.ledger, kafka_settings)
        stored = api.get("/events", type="SourceRegistered")["items"]
        assert [e["body"]["source_id"] for e in stored] == ["source:k0", "source:k1", "source:k2"]
        assert all(e["kafka"]["topic"] == kafka_settings.topic for e in stored)
