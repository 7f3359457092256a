"""Every read route through HTTP, against the seed example in real PostgreSQL."""

from itertools import pairwise
from typing import Any

from ledger.web.keys import Role
from tests.helpers import Api

HEAD = 138
"""Events in the seed example."""


def walk(api: Api, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged list, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = api.get(path, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_health_shows_only_its_status_without_a_key(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    bad = api.client.get("/health", headers={"Authorization": "Bearer ldg_wrong"})
    assert bad.status_code == 401


def test_health_shows_head_cursors_and_lag_to_a_key(api: Api) -> None:
    for role in Role:
        response = api.client.get("/health", headers=api.headers(role))
        assert response.status_code == 200
    body = response.json()
    assert body["head"] == HEAD and len(body["head_hash"]) == 64
    assert {p["name"]: (p["cursor"], p["lag"]) for p in body["projections"]} == {
        "sources": (HEAD, 0),
        "claim_history": (HEAD, 0),
        "force_posture": (HEAD, 0),
    }


def test_current_posture_rests_on_report_positions(api: Api) -> None:
    page = api.get("/posture", actor="actor:hezbollah")
    assert page["read_at"]["position"] == HEAD
    assert page["read_at"]["projections"]["force_posture"] == HEAD
    rows = {row["place_key"]: row for row in page["items"]}
    assert rows["place:aleppo"]["activity"] == "REINFORCING"
    assert rows["place:aleppo"]["status"] == "ACTIVE"
    events = {e["position"]: e for e in api.get("/events", limit=1000)["items"]}
    for row in page["items"]:
        assert row["report_position"] in row["positions"]
        for position in row["positions"]:
            assert events[position]["event_type"] == "DeploymentReported"
            assert events[position]["body"]["actor_id"] == "actor:hezbollah"


def test_posture_pages_cover_the_whole_list_once(api: Api) -> None:
    whole = api.get("/posture", limit=1000)["items"]
    assert len(whole) > 5
    paged = walk(api, "/posture", limit=2)
    assert paged == whole
    keys = [(r["actor_id"], r["place_key"]) for r in paged]
    assert keys == sorted(set(keys))


def test_posture_as_of_before_anything_was_recorded_is_empty(api: Api) -> None:
    page = api.get("/posture", as_of="2001-01-01T00:00:00Z")
    assert page["read_at"]["position"] == 0
    assert page["items"] == [] and page["next_cursor"] is None


def test_posture_as_of_now_pages_through_the_historical_path(api: Api) -> None:
    """valid_at forces the read from the report facts; its pages agree with one page."""
    whole = api.get("/posture", valid_at="2015-10-15T00:00:00Z", limit=1000)["items"]
    assert whole and all(r["valid_from"] <= "2015-10-15T00:00:00Z" for r in whole)
    paged = walk(api, "/posture", limit=3, valid_at="2015-10-15T00:00:00Z")
    assert paged == whole
    before = api.get("/posture", valid_at="2015-01-01T00:00:00Z", limit=1000)["items"]
    assert len(before) < len(whole)


def test_posture_filters_by_place_and_status(api: Api) -> None:
    at_aleppo = api.get("/posture", place="place:aleppo")["items"]
    assert at_aleppo and {r["place_key"] for r in at_aleppo} == {"place:aleppo"}
    active = api.get("/posture", status="ACTIVE", limit=1000)["items"]
    assert active and {r["status"] for r in active} == {"ACTIVE"}
    withdrawn = api.get("/posture", status="WITHDRAWN", limit=1000)["items"]
    assert all(r["status"] == "WITHDRAWN" for r in withdrawn)


def test_timeline_by_actor_and_by_place(api: Api) -> None:
    by_actor = api.get("/posture/timeline", actor="actor:hezbollah")
    positions = [s["position"] for s in by_actor["steps"]]
    assert positions == sorted(positions) and len(positions) >= 2
    for step in by_actor["steps"]:
        assert all(r["actor_id"] == "actor:hezbollah" for r in step["rows"])
        assert all(max(r["positions"]) <= step["position"] for r in step["rows"])
    by_place = api.get("/posture/timeline", place="place:aleppo")
    assert by_place["steps"]
    assert all(r["place_key"] == "place:aleppo" for s in by_place["steps"] for r in s["rows"])
    first = api.get("/posture/timeline", actor="actor:hezbollah", limit=1)
    rest = api.get("/posture/timeline", actor="actor:hezbollah", cursor=first["next_cursor"])
    assert [s["position"] for s in first["steps"] + rest["steps"]] == positions


def test_timeline_needs_an_actor_or_a_place(api: Api) -> None:
    response = api.client.get("/posture/timeline", headers=api.headers())
    assert response.status_code == 422
    assert "actor or place" in response.json()["detail"]


def test_claims_filter_by_status_actor_source_and_document(api: Api) -> None:
    every = walk(api, "/claims", limit=7)
    assert len(every) == 30
    assert [c["claim_id"] for c in every] == sorted(c["claim_id"] for c in every)
    corroborated = api.get("/claims", status="CORROBORATED")["items"]
    assert all(c["status"] == "CORROBORATED" for c in corroborated)
    by_status = {
        s: len(api.get("/claims", status=s)["items"])
        for s in ("ASSERTED", "CORROBORATED", "DISPUTED", "RETRACTED")
    }
    assert sum(by_status.values()) == 30
    anonymous = api.get("/claims", source="source:anon-damascus-senior")["items"]
    assert "claim:seed-05" in {c["claim_id"] for c in anonymous}
    assert all(c["origin"] == "source:anon-damascus-senior" for c in anonymous)
    hezbollah = api.get("/claims", actor="actor:hezbollah")["items"]
    assert hezbollah
    reports = api.get("/events", type="DeploymentReported", limit=1000)["items"]
    backing = {e["body"]["claim_id"] for e in reports if e["body"]["actor_id"] == "actor:hezbollah"}
    assert {c["claim_id"] for c in hezbollah} == backing
    document = every[0]["document_id"]
    assert len(api.get("/claims", document=document, limit=1000)["items"]) == 30
    unknown = api.client.get("/claims", params={"document": "doc:none"}, headers=api.headers())
    assert unknown.status_code == 422  # never a silent empty answer
    assert unknown.json()["errors"][0]["field"] == "query.document"


def test_one_claim_with_its_chain_of_reported_speech(api: Api) -> None:
    claim = api.get("/claims/claim:seed-05")
    assert claim["origin"] == "source:anon-damascus-senior"
    chain = [(h["source_id"], h["via_source_id"]) for h in claim["chain"]]
    assert chain[0] == ("source:anon-damascus-senior", "source:elijah-magnier")
    assert claim["chain"][0]["reliability"] == "F"
    assert claim["events"][0]["event_type"] == "ClaimAsserted"
    assert claim["positions"] == sorted(e["position"] for e in claim["events"])
    assert claim["position"] in claim["positions"]


def test_unknown_ids_are_404_problems(api: Api) -> None:
    for path in (
        "/claims/claim:nope",
        "/sources/source:nope",
        "/documents/doc:nope",
        "/events/00000000-0000-0000-0000-000000000000",
    ):
        response = api.client.get(path, headers=api.headers())
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert "nope" in response.json()["detail"] or "00000000" in response.json()["detail"]


def test_sources_carry_their_reliability_history(api: Api) -> None:
    sources = walk(api, "/sources", limit=1)
    assert [s["source_id"] for s in sources] == sorted(s["source_id"] for s in sources)
    assert len(sources) == 3
    for s in sources:
        assert s["history"] and s["reliability"] == s["history"][-1]["reliability"]
    one = api.get("/sources/source:anon-damascus-senior")
    assert one["source"]["reliability"] == "F"
    assert one["read_at"]["projections"] == {"sources": HEAD}


def test_documents_list_their_claims(api: Api) -> None:
    documents = api.get("/documents")["items"]
    assert len(documents) == 1
    document = documents[0]
    assert len(document["claim_ids"]) == 30
    one = api.get(f"/documents/{document['document_id']}")
    assert [c["claim_id"] for c in one["claims"]] == document["claim_ids"]
    assert api.get("/documents", outlet=document["outlet_source_id"])["items"] == documents
    unknown = api.client.get("/documents", params={"outlet": "source:other"}, headers=api.headers())
    assert unknown.status_code == 422  # never a silent empty answer
    assert unknown.json()["errors"][0]["field"] == "query.outlet"


def test_event_stream_pages_and_filters(api: Api) -> None:
    first = api.get("/events", limit=50)
    assert first["head"] == HEAD
    assert [e["position"] for e in first["items"]] == list(range(1, 51))
    assert first["next_after"] == 50
    rest = api.get("/events", after=50, limit=1000)
    assert rest["items"][-1]["position"] == HEAD and rest["next_after"] is None
    chained = first["items"] + rest["items"]
    for before, after in pairwise(chained):
        assert after["prev_hash"] == before["hash"]
    claims = api.get("/events", type=["ClaimAsserted", "ClaimAssessed"], limit=1000)["items"]
    assert {e["event_type"] for e in claims} == {"ClaimAsserted", "ClaimAssessed"}
    assert len(claims) == 37
    one = api.get(f"/events/{claims[0]['event_id']}")
    assert one == claims[0]
    assert one["body"]["type"] == "ClaimAsserted"


def test_unknown_event_type_is_named(api: Api) -> None:
    response = api.client.get("/events", params={"type": "ClaimAsserts"}, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.type"
    assert "ClaimAsserts" in response.json()["detail"]


def test_auditor_and_admin_read_too(api: Api) -> None:
    for role in (Role.AUDITOR, Role.ADMIN):
        assert api.get("/posture", role=role)["items"]
