"""The posture names a place by its gazetteer name (Damascus), with the report's wording
("the Syria capital") as detail, and the wording alone for a place nobody registered."""

from ledger.web.keys import Role
from tests.helpers import Api


def test_the_posture_names_a_place_by_its_gazetteer_name(api: Api) -> None:
    response = api.client.get("/posture", params={"limit": 1000}, headers=api.headers(Role.ANALYST))
    assert response.status_code == 200, response.text
    rows = response.json()["items"]
    damascus = [r for r in rows if r["place_key"] == "place:damascus"]
    assert damascus
    assert {(r["place"], r["place_reported"]) for r in damascus} == {
        ("Damascus", "the Syria capital")
    }
    idlib = [r for r in rows if r["place_key"] == "place:idlib"]
    assert [(r["place"], r["place_reported"]) for r in idlib] == [("Idlib", "around Idlib")]
    baghdad = [r for r in rows if r["place_key"] == "place:baghdad" and r["place_reported"] is None]
    assert all(r["place"] == "Baghdad" for r in baghdad)  # worded as registered: no detail
    unregistered = [r for r in rows if not r["place_key"].startswith("place:")]
    assert all(r["place_reported"] is None for r in unregistered)


def test_the_timeline_names_places_so_too(api: Api) -> None:
    response = api.client.get(
        "/posture/timeline", params={"place": "Damascus"}, headers=api.headers(Role.ANALYST)
    )
    assert response.status_code == 200, response.text
    rows = [r for step in response.json()["steps"] for r in step["rows"]]
    assert rows and {r["place"] for r in rows} == {"Damascus"}
    assert {r["place_reported"] for r in rows} == {"the Syria capital"}
