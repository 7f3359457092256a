"""Every error is application/problem+json with a title and a detail naming the field."""

import base64
import json

import psycopg

from ledger.web.keys import Role
from tests.helpers import Api, create_database, database_url_for, serving
from tests.malformed import valid

PROBLEM = "application/problem+json"


def test_unknown_route_and_method(api: Api) -> None:
    missing = api.client.get("/nowhere", headers=api.headers())
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["title"] == "Not Found"
    assert "/nowhere" in missing.json()["detail"]
    wrong = api.client.delete("/events", headers=api.headers())
    assert wrong.status_code == 405 and wrong.headers["content-type"] == PROBLEM
    assert "DELETE" in wrong.json()["detail"]


def test_bad_query_parameters_name_the_field_and_why(api: Api) -> None:
    cases = {
        "/posture?limit=0": ("query.limit", "greater than or equal to 1"),
        "/posture?limit=5000": ("query.limit", "less than or equal to 1000"),
        "/posture?as_of=2015-10-01T00:00:00": ("query.as_of", "timezone"),
        "/posture?as_of=yesterday": ("query.as_of", "ISO 8601"),
        "/posture?as_of=1700000000": ("query.as_of", "ISO 8601"),
        "/posture?actr=actor:hezbollah": ("query.actr", "not a parameter"),
        "/posture?status=BOGUS": ("query.status[0]", "ACTIVE"),
        "/claims?status=MAYBE": ("query.status[0]", "CORROBORATED"),
        "/events?after=-1": ("query.after", "greater than or equal to 0"),
        "/events/not-a-uuid": ("path.event_id", "UUID"),
        "/posture?cursor=garbage": ("query.cursor", "page token"),
    }
    for path, (field, words) in cases.items():
        response = api.client.get(path, headers=api.headers())
        assert response.status_code == 422, path
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["title"] == "Unprocessable Entity"
        assert problem["errors"][0]["field"] == field, (path, problem)
        assert words in problem["detail"], (path, problem)


def test_each_unknown_parameter_is_named_in_its_own_error(api: Api) -> None:
    response = api.client.get(
        "/posture", params={"actr": "x", "plaec": "y", "zzz": "1"}, headers=api.headers()
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["query.actr", "query.plaec", "query.zzz"]
    for error in errors:
        name = error["field"].removeprefix("query.")
        assert error["message"].startswith(f"{name!r} is not a parameter"), error
    assert "(and 2 more)" in response.json()["detail"]


def _plain(position: object, key: object) -> str:
    """A page token as this API once wrote them: base64 JSON, neither sealed nor bound."""
    text = json.dumps({"p": position, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _sealed(api: Api, path: str, state: object, query: list[list[str]] | None = None) -> str:
    """A token sealed with the server's own key for an analyst (UNCLASSIFIED) on
    ``path``: what only a bug in the server could give out."""
    services = api.client.app.state.services  # type: ignore[attr-defined]
    return str(services.tokens.seal(state, json.dumps(["UNCLASSIFIED", path, query or []])))


def test_a_page_token_from_another_list_is_refused(api: Api) -> None:
    token = api.get("/claims", limit=1)["next_cursor"]
    timeline = {"actor": "actor:hezbollah"}
    cases = [
        ("/posture", token, {}),
        ("/claims", _plain(1, "claim:seed-01"), {}),  # the old, unsealed form
        ("/posture", _sealed(api, "/posture", {"p": 1, "k": ["actor:x"]}), {}),
        ("/posture", _sealed(api, "/posture", {"p": 1, "k": ["actor:x", 5]}), {}),
        ("/claims", _sealed(api, "/claims", {"p": True, "k": "claim:x"}), {}),
        ("/claims", _sealed(api, "/claims", {"p": -1, "k": "claim:x"}), {}),
        ("/claims", _sealed(api, "/claims", ["p", 1]), {}),
        ("/posture/timeline", _sealed(api, "/posture/timeline", {"p": 1, "k": "x"}), timeline),
    ]
    for path, given, params in cases:
        response = api.client.get(path, params={**params, "cursor": given}, headers=api.headers())
        assert response.status_code == 422, (path, given, response.text)
        assert response.json()["errors"][0]["field"] == "query.cursor"
    good = _sealed(api, "/claims", {"p": 1, "k": "claim:seed-01"})
    assert (
        api.client.get("/claims", params={"cursor": good}, headers=api.headers()).status_code == 200
    )


def test_unexpected_failures_are_500_problems_without_traces(database_url: str) -> None:
    with serving(database_url) as api:

        def explode() -> None:
            raise RuntimeError("secret internals")

        api.client.app.add_api_route("/explode", explode)  # type: ignore[attr-defined]
        response = api.client.get("/explode", headers=api.headers(Role.ADMIN))
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        assert "secret" not in response.text and "Traceback" not in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_no_projections_yet_is_a_503_that_says_what_to_run(database_url: str) -> None:
    with serving(database_url) as api:
        response = api.client.get("/posture", headers=api.headers())
        assert response.status_code == 503
        assert "ledger project" in response.json()["detail"]


def test_health_is_503_while_the_database_is_unreachable(server_url: str, template_db: str) -> None:
    name = create_database(server_url, template_db)
    with serving(database_url_for(server_url, name), pool_timeout=1) as api:
        assert api.client.get("/health").status_code == 200
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        response = api.client.get("/health")
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert "cannot be reached" in response.json()["detail"]
        assert api.client.get("/posture", headers=api.headers()).status_code == 503


LONG = 100_000


def test_a_long_unknown_name_is_cut_short_in_every_echo(api: Api) -> None:
    """An unknown field or parameter whose name is 100,000 characters long: every echo
    of it (detail, field, message) is cut, and the answer stays a few hundred bytes."""
    headers = {**api.headers(Role.PRODUCER), "content-type": "application/json"}
    envelope = valid()["envelope"]
    bodies = {
        "/events": {**valid(), "x" * LONG: 1},
        "/events/batch": {"events": [{**valid(), "y" * LONG: 1}]},
        "/events?allow_unresolved=false": {**valid(), "envelope": {**envelope, "q" * LONG: 1}},
    }
    for path, body in bodies.items():
        response = api.client.post(path, content=json.dumps(body), headers=headers)
        assert response.status_code == 422, response.text[:500]
        assert len(response.content) < 2_000, (path, len(response.content))
        problem = response.json()
        assert "(100,000 characters)" in problem["detail"]
        for error in problem["errors"]:
            assert "(100,000 characters)" in error["field"], error["field"][:200]
            assert "(100,000 characters)" in error["message"]
    name = "k" * 20_000  # the longest a URL of the test client may be
    response = api.client.get("/posture", params={name: "1"}, headers=api.headers())
    assert response.status_code == 422
    assert len(response.content) < 2_000
    assert response.json()["errors"][0]["field"].endswith("… (20,000 characters)")
