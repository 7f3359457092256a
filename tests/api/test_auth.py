"""Keys and roles on every route: no key or a bad one is 401, the wrong role 403, and
neither touches the ledger."""

from typing import Any

import pytest

from ledger.web import keys
from ledger.web.keys import READERS, WRITERS, Role
from tests.factories import json_line
from tests.helpers import Api, serving

PUBLIC = {("get", "/health")}
WITNESSES = frozenset({Role.AUDITOR, Role.ADMIN})
ALLOWED = {("post", "/checkpoint/cosignatures"): WITNESSES, ("get", "/rejected"): WITNESSES}
"""Routes whose roles are not the default (readers GET, writers POST)."""
PARAMS: dict[str, dict[str, Any]] = {
    "/posture/timeline": {"actor": "actor:hezbollah"},
    "/proofs/inclusion": {"position": 1, "size": 2},
    "/proofs/consistency": {"from": 1, "to": 2},
}
"""Required parameters of the routes that have some."""
INTRUDER = json_line("SourceRegistered", source_id="source:intruder")
"""One event (one id) for every POST: posted twice, it is appended once."""


def routes(api: Api) -> list[tuple[str, str]]:
    """(method, concrete path) of every documented route but the public ones."""
    spec = api.client.get("/openapi.json").json()
    found = []
    for template, operations in spec["paths"].items():
        path = (
            template.replace("{claim_id}", "claim:seed-05")
            .replace("{source_id}", "source:elijah-magnier")
            .replace("{document_id}", "doc:any")
            .replace("{event_id}", "00000000-0000-0000-0000-000000000000")
        )
        found += [(method, path) for method in operations if (method, template) not in PUBLIC]
    return found


def call(api: Api, method: str, path: str, headers: dict[str, str]) -> Any:
    if path == "/checkpoint/cosignatures":
        return api.client.post(path, params={"size": 0}, content=b"x", headers=headers)
    if path == "/stix/bundles":  # an empty bundle: nothing to append, a 200
        empty = {"type": "bundle", "id": "bundle--6f1b8c1e-2f0a-4a55-9d4e-0b6c2f3e4a11"}
        return api.client.post(path, json={**empty, "objects": []}, headers=headers)
    if method == "post":
        body: Any = INTRUDER
        if path.endswith("/batch"):
            body = {"events": [body]}
        return api.client.post(path, json=body, headers=headers)
    params: dict[str, Any] = PARAMS.get(path, {})
    return api.client.get(path, params=params, headers=headers)


def head(api: Api) -> int:
    return api.ledger.head().position


def test_every_route_but_health_needs_a_key(fresh_api: Api) -> None:
    checked = routes(fresh_api)
    assert len(checked) >= 12
    for method, path in checked:
        for headers in (
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "Bearer ldg_000000000000_" + "x" * 43},
            {"Authorization": "Bearer not-a-key"},
        ):
            response = call(fresh_api, method, path, headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert head(fresh_api) == 138


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_403_where_it_may_not_go(fresh_api: Api, role: Role) -> None:
    for method, path in routes(fresh_api):
        allowed = ALLOWED.get((method, path), WRITERS if method == "post" else READERS)
        response = call(fresh_api, method, path, fresh_api.headers(role))
        if role in allowed:
            assert response.status_code in (200, 201, 404), (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path, role)
            said = response.json()["detail"]
            article = "an" if role in (Role.ANALYST, Role.AUDITOR, Role.ADMIN) else "a"
            assert f"{article} {role.value} key cannot" in said, said  # never "a analyst"
            assert " a analyst" not in said and " a auditor" not in said and " a admin" not in said
    expected = 138 + (1 if role in WRITERS else 0)  # the same event, posted twice
    assert head(fresh_api) == expected


def test_a_revoked_key_stops_working_at_once(fresh_api: Api) -> None:
    key = fresh_api.keys[Role.ANALYST]
    assert fresh_api.client.get("/posture", headers=fresh_api.headers()).status_code == 200
    with fresh_api.ledger.connection() as conn:
        revoked = keys.revoke(conn, key.split("_")[1])
    assert revoked.revoked_at is not None
    response = fresh_api.client.get("/posture", headers=fresh_api.headers())
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    producer = fresh_api.headers(Role.PRODUCER)
    with fresh_api.ledger.connection() as conn:
        keys.revoke(conn, fresh_api.keys[Role.PRODUCER])  # the whole key works too
    event = json_line("SourceRegistered", source_id="source:late")
    assert fresh_api.client.post("/events", json=event, headers=producer).status_code == 401
    assert head(fresh_api) == 138


def test_a_key_with_a_wrong_secret_is_refused(fresh_api: Api) -> None:
    key = fresh_api.keys[Role.ADMIN]
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    response = fresh_api.client.get("/posture", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_only_hashes_are_stored(fresh_api: Api) -> None:
    with fresh_api.ledger.connection() as conn:
        stored = [bytes(r[0]) for r in conn.execute("SELECT key_hash FROM ledger.api_keys")]
    assert len(stored) == len(Role)
    for key in fresh_api.keys.values():
        assert all(key.encode() not in row for row in stored)


def test_keys_are_off_only_when_asked(database_url: str) -> None:
    with serving(database_url, auth=False) as open_api:
        assert open_api.client.get("/posture").status_code != 401
        event = json_line("SourceRegistered", source_id="source:trial")
        assert open_api.client.post("/events", json=event).status_code == 201
    with serving(database_url) as closed:
        assert closed.client.get("/posture").status_code == 401
