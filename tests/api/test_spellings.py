"""Over HTTP as on the command line: symbols in any case in and canonical out (the Avro
bytes unchanged), event types in any case, and suggestions for an unknown claim id."""

import uuid

from ledger.domain.events import DeploymentReported
from ledger.web.keys import Role
from tests.factories import json_line
from tests.helpers import Api


def test_status_filters_take_any_case(api: Api) -> None:
    upper = api.get("/posture", status="ACTIVE")
    lower = api.get("/posture", status="active")
    assert lower["items"] == upper["items"] and lower["items"]
    assert {row["status"] for row in lower["items"]} == {"ACTIVE"}
    assert (
        api.get("/claims", status="corroborated")["items"]
        == (api.get("/claims", status="CORROBORATED")["items"])
    )


def test_event_types_in_any_case(api: Api) -> None:
    exact = api.get("/events", type="ClaimRetracted")
    assert api.get("/events", type="claimretracted") == exact
    response = api.client.get(
        "/events", params={"type": "ClaimRetract"}, headers=api.headers(Role.ANALYST)
    )
    assert response.status_code == 422
    assert "did you mean ClaimRetracted?" in response.json()["detail"]


def test_an_unknown_claim_id_gets_suggestions(api: Api) -> None:
    response = api.client.get("/claims/seed-20", headers=api.headers(Role.ANALYST))
    assert response.status_code == 404
    body = response.json()
    assert body["detail"].endswith("; did you mean claim:seed-20?")
    assert body["errors"] == [
        {"field": "path.claim_id", "message": body["detail"], "suggestions": ["claim:seed-20"]}
    ]


def test_symbols_in_any_case_are_kept_canonical_and_encoded_as_ever(fresh_api: Api) -> None:
    event_id = str(uuid.uuid4())
    line = json_line(
        "DeploymentReported",
        envelope={"event_id": event_id, "recorded_by": "analyst:t"},
        report_id="dep:spelled",
        claim_id="claim:seed-19",
        actor_id="actor:hezbollah",
        place={"name": "Idlib", "place_id": "place:idlib", "precision": "city"},
        activity="reinforcing",
        credibility="probably true",
        valid_time={"start": "2015-10-03", "precision": "day"},
    )
    line["type"] = "deploymentReported"
    posted = fresh_api.post("/events", line)
    assert posted.status_code == 201, posted.text
    canonical = DeploymentReported.model_validate(
        {
            **{k: v for k, v in line.items() if k != "type"},
            "place": {"name": "Idlib", "place_id": "place:idlib", "precision": "CITY"},
            "activity": "REINFORCING",
            "credibility": "PROBABLY_TRUE",
            "valid_time": {"start": "2015-10-03T00:00:00Z", "precision": "DAY"},
        }
    )
    stored = fresh_api.ledger.payload_of(uuid.UUID(event_id))
    assert stored == fresh_api.ledger.codec.encode(canonical)
    shown = fresh_api.get(f"/events/{event_id}")
    assert shown["event_type"] == "DeploymentReported"
    assert shown["body"]["activity"] == "REINFORCING"
    assert shown["body"]["valid_time"]["start"] == "2015-10-03T00:00:00Z"
