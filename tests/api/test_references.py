"""Referential integrity through the HTTP appends: a body naming nothing registered is a
422 naming the record and field. ``allow_unresolved=true`` lets it through only for a
caller who sees the whole ledger (a server run without keys): to a key that does not, a
name it may not see and a name never registered look alike."""

from ledger.web.keys import Role
from tests.factories import json_line
from tests.helpers import Api, seed, serving


def _report(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "claim_id": "claim:seed-05",
        "actor_id": "actor:hezbollah",
        "place": {"name": "Idlib", "place_id": "place:idlib", "precision": "AREA"},
        **overrides,
    }
    return json_line("DeploymentReported", **fields)


def test_a_dangling_actor_is_refused_with_a_suggestion(fresh_api: Api) -> None:
    batch = [json_line("ActorRegistered", actor_id="actor:x", member_of=[])]
    batch.append(_report(actor_id="Hizballah"))
    response = fresh_api.post("/events/batch", {"events": batch})
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "body.events[1].actor_id"
    assert error["message"].startswith("batch record 2, field actor_id: actor 'Hizballah'")
    assert "did you mean actor:hezbollah ('Hizballah')?" in error["message"]
    assert "register it earlier in this request" in error["message"]
    assert fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"] == 138


def test_one_event_names_its_field(fresh_api: Api) -> None:
    response = fresh_api.post("/events", _report(claim_id="claim:seed-99"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.claim_id"


def test_forward_references_in_a_batch_resolve(fresh_api: Api) -> None:
    batch = [
        json_line("ActorRegistered", actor_id="actor:x", member_of=["actor:hezbollah"]),
        _report(actor_id="actor:x"),
    ]
    assert fresh_api.post("/events/batch", {"events": batch}).status_code == 201


def test_allow_unresolved_does_not_apply_to_a_key(fresh_api: Api) -> None:
    event = _report(claim_id="claim:seed-99")
    head = fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"]
    response = fresh_api.client.post(
        "/events?allow_unresolved=true", json=event, headers=fresh_api.headers(Role.PRODUCER)
    )
    assert response.status_code == 422, response.text
    assert "allow_unresolved=true does not apply to a key" in response.text
    assert fresh_api.client.get("/health", headers=fresh_api.headers()).json()["head"] == head


def test_allow_unresolved_is_explicit_for_the_operator(database_url: str) -> None:
    event = _report(claim_id="claim:seed-99")
    with serving(database_url, auth=False) as api:
        seed(api.ledger)
        refused = api.client.post("/events", json=event)
        assert refused.status_code == 422, refused.text
        assert "add allow_unresolved=true to the query" in refused.text
        assert api.client.post("/events?allow_unresolved=true", json=event).status_code == 201
