"""The gazetteer over HTTP: names in posture and claims filters, /actors and /places, and
unknown or ambiguous names as problem answers naming the parameter (seed example)."""

from tests.factories import make
from tests.helpers import Api


def test_posture_filters_take_names_and_aliases_and_answer_with_names(api: Api) -> None:
    by_id = api.get("/posture", actor="actor:hezbollah")["items"]
    assert by_id and {r["actor"] for r in by_id} == {"Hezbollah"}
    for given in ("Hizballah", "hezbollah", "HEZBOLLAH"):
        assert api.get("/posture", actor=given)["items"] == by_id
    idlib = api.get("/posture", place="Idlib")["items"]
    assert [(r["actor_id"], r["activity"]) for r in idlib] == [("actor:hezbollah", "REINFORCING")]
    assert (idlib[0]["latitude"], idlib[0]["longitude"]) == (35.93, 36.634)
    assert api.get("/posture/timeline", actor="Hizballah")["actor_id"] == "actor:hezbollah"


def test_an_unknown_name_is_a_problem_naming_the_parameter_with_suggestions(api: Api) -> None:
    response = api.client.get("/posture", params={"actor": "Hezbolah"}, headers=api.headers())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    (problem,) = response.json()["errors"]
    assert problem["field"] == "query.actor" and "Hezbollah" in problem["suggestions"]
    missing = api.client.get("/actors/Hezbolah", headers=api.headers())
    assert missing.status_code == 404 and "Hezbollah" in missing.json()["errors"][0]["suggestions"]
    claims = api.client.get("/claims", params={"source": "nobody at all"}, headers=api.headers())
    assert claims.status_code == 422 and claims.json()["errors"][0]["field"] == "query.source"


def test_actors_and_places_list_the_gazetteer(api: Api) -> None:
    actors = {a["id"]: a for a in api.get("/actors")["items"]}
    assert "Hizballah" in actors["actor:hezbollah"]["aliases"]
    assert actors["actor:hezbollah"]["reports"] > 0
    one = api.get("/actors/hizballah")["entry"]
    assert one["id"] == "actor:hezbollah" and one["name"] == "Hezbollah"
    places = {p["id"]: p for p in api.get("/places")["items"]}
    assert places["place:aleppo"]["aliases"] == ["Halab"]
    assert api.get("/places/halab")["entry"]["latitude"] == 36.202


def test_read_at_says_how_far_the_projections_lag(fresh_api: Api) -> None:
    assert fresh_api.get("/posture")["read_at"]["behind_by"] is None
    fresh_api.ledger.append([make("ClaimAsserted", claim_id="claim:late")])
    assert fresh_api.get("/posture")["read_at"]["behind_by"] == 1
    fresh_api.project()
    assert fresh_api.get("/posture")["read_at"]["behind_by"] is None


def test_an_actor_only_named_in_reports_is_a_404_not_a_500(fresh_api: Api) -> None:
    fresh_api.ledger.append([make("DeploymentReported", actor_id="actor:ghost")])
    fresh_api.project()
    response = fresh_api.client.get("/actors/actor:ghost", headers=fresh_api.headers())
    assert response.status_code == 404, response.text
    assert "named in reports but not registered" in response.json()["detail"]


TITLE = (
    "Russia's joint command rooms in Damascus and Baghdad leave US, IRGC and Hezbollah "
    "personnel working side by side"
)


def test_outlets_sources_and_documents_take_names_and_titles(api: Api) -> None:
    by_id = api.get("/documents", outlet="source:magnier-blog")["items"]
    assert [d["document_id"] for d in by_id] == ["doc:magnier-2015-russia-ops-rooms"]
    assert api.get("/documents", outlet="EJMagnier")["items"] == by_id  # an alias, any case
    source = api.get("/sources/ejmagnier")["source"]
    assert source["source_id"] == "source:magnier-blog"
    document = api.get(f"/documents/{TITLE.upper()}")["document"]
    assert document["document_id"] == "doc:magnier-2015-russia-ops-rooms"
    claims = api.get("/claims", document=TITLE, limit=1000)["items"]
    assert claims == api.get("/claims", document=document["document_id"], limit=1000)["items"]
    assert claims


def test_unknown_outlets_and_titles_are_problems_naming_the_parameter(api: Api) -> None:
    outlet = api.client.get("/documents", params={"outlet": "ejmagnir"}, headers=api.headers())
    assert outlet.status_code == 422
    (problem,) = outlet.json()["errors"]
    assert problem["field"] == "query.outlet" and "ejmagnier" in problem["suggestions"]
    titled = api.client.get("/claims", params={"document": TITLE[:-4]}, headers=api.headers())
    assert titled.status_code == 422
    assert titled.json()["errors"][0]["field"] == "query.document"
    assert TITLE in titled.json()["errors"][0]["suggestions"]
    missing = api.client.get("/documents/no such report", headers=api.headers())
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "path.document_id"
