"""Every kind of malformed input through ``POST /events`` and ``POST /events/batch``: a
4xx problem whose every error names its field, a short answer, and nothing appended.
Also what the input guard refuses before any route: oversized bodies, NUL in paths and
query parameters."""

import json
from typing import Any

import pytest

from ledger.config import Settings
from ledger.web.keys import Role
from tests.helpers import Api, serving
from tests.malformed import KIND_NAMES, kinds, valid

BY_KIND = {m.kind: m for m in kinds()}


def _post(api: Api, path: str, body: bytes) -> Any:
    headers = {**api.headers(Role.PRODUCER), "content-type": "application/json"}
    return api.client.post(path, content=body, headers=headers)


def _assert_refused(api: Api, response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.content) < 20_000, "the answer echoes too much of the bad value"
    problem: dict[str, Any] = response.json()
    assert problem["errors"], problem
    assert all(e["field"] and e["field"].startswith("body") for e in problem["errors"]), problem
    assert api.client.get("/health", headers=api.headers()).json()["head"] == 138
    return problem


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_one_malformed_event_is_refused(api: Api, kind: str) -> None:
    _assert_refused(api, _post(api, "/events", BY_KIND[kind].raw))


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_a_malformed_event_in_a_batch_refuses_the_batch(api: Api, kind: str) -> None:
    good = json.dumps(valid("ActorRegistered", actor_id="actor:new")).encode()
    body = b'{"events": [' + good + b", " + BY_KIND[kind].raw + b"]}"
    problem = _assert_refused(api, _post(api, "/events/batch", body))
    fields = [e["field"] for e in problem["errors"]]
    assert all(f == "body" or f.startswith("body.events[1]") for f in fields), fields


def test_a_field_problem_names_its_place_in_the_batch(api: Api) -> None:
    bad = valid(credibility="LIKELY")
    response = api.post("/events/batch", {"events": [valid("ActorRegistered"), bad]})
    problem = _assert_refused(api, response)
    assert problem["errors"][0]["field"] == "body.events[1].credibility"
    assert problem["errors"][0]["message"].startswith("batch record 2, field credibility:")
    single = _assert_refused(api, api.post("/events", bad))
    assert single["errors"][0]["field"] == "body.credibility"


def test_echoed_values_are_cut_short(api: Api) -> None:
    bad = valid(envelope={"event_id": "z" * 10_000, "recorded_by": "t"})
    problem = _assert_refused(api, api.post("/events", bad))
    assert "zzzz" in problem["detail"] and len(problem["detail"]) < 400


def test_a_byte_order_mark_is_dropped_as_by_the_cli(fresh_api: Api) -> None:
    body = (
        b"\xef\xbb\xbf"
        + json.dumps(valid("ActorRegistered", actor_id="actor:bom", member_of=[])).encode()
    )
    response = _post(fresh_api, "/events", body)
    assert response.status_code == 201, response.text


def test_too_many_events_in_a_batch(database_url: str) -> None:
    with serving(database_url, max_batch_events=3) as api:
        response = api.post("/events/batch", {"events": [valid() for _ in range(4)]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.events"
        assert "at most 3 (LEDGER_MAX_BATCH_EVENTS)" in response.json()["detail"]


def test_a_body_over_the_limit_is_413(database_url: str) -> None:
    with serving(database_url, max_body_bytes=4096) as api:
        body = json.dumps({"events": [valid() for _ in range(20)]}).encode()
        response = _post(api, "/events/batch", body)
        assert response.status_code == 413, response.text
        assert response.json()["errors"] == [
            {"field": "body", "message": response.json()["errors"][0]["message"]}
        ]
        assert "LEDGER_MAX_BODY_BYTES" in response.json()["detail"]

        def chunks() -> Any:  # no Content-Length: counted as it arrives
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        headers = {**api.headers(Role.PRODUCER), "content-type": "application/json"}
        streamed = api.client.post("/events/batch", content=chunks(), headers=headers)
        assert streamed.status_code == 413, streamed.text
        assert api.client.get("/health", headers=api.headers()).json()["head"] == 0


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/claims/claim%00x", "path"),
        ("/sources/%00", "path"),
        ("/events?type=Claim%00Asserted", "query.type"),
        ("/posture?actor=actor:%00", "query.actor"),
        ("/claims?source=%00&status=ASSERTED", "query.source"),
    ],
)
def test_nul_in_a_path_or_parameter_is_422_naming_it(api: Api, url: str, field: str) -> None:
    response = api.client.get(url, headers=api.headers())
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert "NUL" in response.json()["detail"]


def test_limits_are_the_settings(database_url: str) -> None:
    settings = Settings(database_url=database_url, max_text_bytes=100)
    assert settings.limits.max_text_bytes == 100
    with serving(database_url, max_text_bytes=100) as api:
        response = api.post("/events", valid("ActorRegistered", name="n" * 101))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body.name"
