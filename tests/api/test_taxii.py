"""TAXII 2.1 end to end on a real uvicorn server: the independent ``taxii2-client``
walks discovery, the API root and the collections and pages the read collection to its
end; raw HTTP checks the headers, the tokens and the error answers."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.taxii.dates import parsed
from ledger.taxii.media import TAXII
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make
from tests.helpers import uvicorn_server
from tests.scenarios import marked

SECRET = Clearance.of("SECRET")
UNCLASSIFIED = Clearance.of("UNCLASSIFIED")


class Bearer(requests.auth.AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.key}"
        return r


def history() -> list[Event]:
    """Sources graded again and again (several versions each), actors, places, claims,
    some of them SECRET."""
    made: list[Event] = []
    for n in range(6):
        source = f"source:s{n}"
        made.append(make("SourceRegistered", source_id=source))
        made.append(make("SourceReliabilityAssessed", source_id=source, reliability="B"))
        level = Classification.SECRET if n % 3 == 0 else Classification.UNCLASSIFIED
        made.append(
            marked(make("SourceReliabilityAssessed", source_id=source, reliability="C"), level, [])
        )
        made.append(marked(make("ActorRegistered", actor_id=f"actor:a{n}"), level, []))
        made.append(make("PlaceRegistered", place_id=f"place:p{n}"))
    return made


@dataclass
class Served:
    base: str
    keys: dict[str, str]
    settings: Settings

    def headers(self, who: str = "unclassified", accept: str | None = TAXII) -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.keys[who]}"}
        if accept is not None:
            found["Accept"] = accept
        return found

    def export(self, clearance: Clearance, all_versions: bool = False) -> list[dict[str, Any]]:
        with open_ledger(self.settings) as ledger:
            head = ledger.head().position
            request = ExportRequest(head, clearance, all_versions)
            data = b"".join(StixExport(ledger, request, Context(self.settings.log_name)))
        found: list[dict[str, Any]] = json.loads(data)["objects"]
        return found


@pytest.fixture(scope="module")
def served(server_url: str, template_db: str) -> Iterator[Served]:
    from tests.helpers import create_database, database_url_for, drop_database

    name = create_database(server_url, template_db)
    settings = Settings(database_url=database_url_for(server_url, name))
    try:
        with open_ledger(settings) as ledger:
            for event in history():  # one batch each: a record time each
                ledger.append([event])
            ledger.append([make("PlaceRegistered"), make("PlaceRegistered")])  # one time
            with ledger.connection() as conn:
                made = {
                    "unclassified": keys.create(conn, Role.ANALYST, "u", UNCLASSIFIED)[1],
                    "unclassified2": keys.create(conn, Role.AUDITOR, "u2", UNCLASSIFIED)[1],
                    "secret": keys.create(conn, Role.ANALYST, "s", SECRET)[1],
                    "producer": keys.create(conn, Role.PRODUCER, "p", UNCLASSIFIED)[1],
                }
        with uvicorn_server(settings) as base:
            yield Served(base, made, settings)
    finally:
        drop_database(server_url, name)


def _collection(served: Served, who: str) -> Collection:
    server = Server(f"{served.base}/taxii2/", auth=Bearer(served.keys[who]))
    assert server.title == "ledger"
    assert len(server.api_roots) == 1 and server.default is not None
    root: ApiRoot = server.default
    assert root.url == f"{served.base}/taxii2/ledger/"
    assert root.versions == [TAXII]
    assert root.max_content_length == served.settings.limits.max_body_bytes
    collection, inbox = root.collections
    assert collection.can_read and not collection.can_write
    assert inbox.title == "inbox" and not inbox.can_read and not inbox.can_write  # a reader's
    return collection


@pytest.mark.parametrize(("who", "clearance"), [("unclassified", UNCLASSIFIED), ("secret", SECRET)])
def test_taxii2_client_pages_the_collection_to_its_end(
    served: Served, who: str, clearance: Clearance
) -> None:
    collection = _collection(served, who)
    walked: list[dict[str, Any]] = []
    pages = 0
    for envelope in as_pages(collection.get_objects, per_request=7):
        walked.extend(envelope.get("objects", []))
        pages += 1
        assert envelope["more"] == ("next" in envelope)
    expected = served.export(clearance)
    assert pages == -(-len(expected) // 7)
    ids = [o["id"] for o in walked]
    assert len(ids) == len(set(ids)), "an object came twice"
    assert sorted(walked, key=lambda o: o["id"]) == sorted(expected, key=lambda o: o["id"])
    every = served.export(clearance, all_versions=True)
    manifest = [
        m
        for page in as_pages(collection.get_manifest, per_request=5, version="all")
        for m in page.get("objects", [])
    ]
    assert sorted((m["id"], m["version"]) for m in manifest) == sorted(
        (o["id"], o.get("modified", o["created"])) for o in every
    )
    added = [parsed(m["date_added"]) or 0 for m in manifest]
    assert added == sorted(set(added)), "date_added is not unique and increasing"


def test_the_secret_collection_is_larger(served: Served) -> None:
    assert len(served.export(SECRET)) > len(served.export(UNCLASSIFIED))


def _get(served: Served, path: str, who: str = "unclassified", **params: Any) -> httpx.Response:
    return httpx.get(
        f"{served.base}/taxii2/ledger/{path}", params=params, headers=served.headers(who)
    )


def _objects_path(served: Served) -> str:
    return f"collections/{_collection(served, 'unclassified').id}/objects/"


def test_date_added_headers_on_every_page_empty_ones_included(served: Served) -> None:
    path = _objects_path(served)
    first = _get(served, path, limit=3)
    assert first.status_code == 200 and first.headers["content-type"] == TAXII
    body = first.json()
    assert body["more"] is True and body["next"]
    manifest = _get(served, path.replace("objects/", "manifest/"), limit=3).json()["objects"]
    assert first.headers["x-taxii-date-added-first"] == manifest[0]["date_added"]
    assert first.headers["x-taxii-date-added-last"] == manifest[-1]["date_added"]
    last = first.headers["x-taxii-date-added-last"]
    rest = _get(served, path, added_after=last, limit=1000).json()
    everything = _get(served, path, limit=1000).json()
    assert len(rest["objects"]) == len(everything["objects"]) - 3
    end = _get(served, path, added_after="2999-01-01T00:00:00Z")
    assert end.status_code == 200 and end.json() == {"more": False}
    assert end.headers["x-taxii-date-added-first"] == "2999-01-01T00:00:00.000000Z"
    assert end.headers["x-taxii-date-added-last"] == "2999-01-01T00:00:00.000000Z"
    nothing = _get(served, path, **{"match[type]": "indicator"})
    assert nothing.json() == {"more": False}
    top = everything["objects"] and _get(served, path.replace("objects/", "manifest/"), limit=1000)
    assert (
        top
        and nothing.headers["x-taxii-date-added-last"] == top.json()["objects"][-1]["date_added"]
    )


def test_one_object_its_versions_and_filters(served: Served) -> None:
    path = _objects_path(served)
    identities = _get(served, path, **{"match[type]": "identity", "match[version]": "all"})
    found = identities.json()["objects"]
    by_id: dict[str, list[str]] = {}
    for obj in found:
        by_id.setdefault(obj["id"], []).append(obj["modified"])
    several = next(i for i, versions in by_id.items() if len(versions) > 1)
    versions = _get(served, f"{path}{several}/versions/")
    assert versions.status_code == 200
    assert versions.json()["versions"] == by_id[several]
    assert (
        versions.headers["x-taxii-date-added-first"] < versions.headers["x-taxii-date-added-last"]
    )
    newest = _get(served, f"{path}{several}/").json()["objects"]
    assert [o["modified"] for o in newest] == [by_id[several][-1]]
    oldest = _get(served, f"{path}{several}/", **{"match[version]": "first"}).json()["objects"]
    assert [o["modified"] for o in oldest] == [by_id[several][0]]
    chosen = by_id[several][0]
    exact = _get(served, f"{path}{several}/", **{"match[version]": chosen}).json()["objects"]
    assert [o["modified"] for o in exact] == [chosen]
    both = _get(served, path, **{"match[id]": f"{several},{found[0]['id']}"}).json()["objects"]
    assert {o["id"] for o in both} == {several, found[0]["id"]}
    spec = _get(served, path, **{"match[spec_version]": "2.0"})
    assert spec.json() == {"more": False}
    missing = _get(served, f"{path}identity--00000000-0000-4000-8000-000000000000/")
    assert missing.status_code == 404 and missing.json()["http_status"] == "404"


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body: dict[str, Any] = response.json()
    assert body["http_status"] == str(status) and body["title"] and body["description"]
    return body


def test_a_token_is_bound_to_the_clearance_and_the_query(served: Served) -> None:
    path = _objects_path(served)
    secret_page = _get(served, path, who="secret", limit=2).json()
    token = secret_page["next"]
    assert _get(served, path, who="secret", limit=2, next=token).status_code == 200
    borrowed = _get(served, path, who="unclassified", limit=2, next=token)
    assert "next" in _error(borrowed, 400)["description"]
    mine = _get(served, path, limit=2).json()["next"]
    assert _get(served, path, who="unclassified2", limit=5, next=mine).status_code == 200
    other_query = _get(served, path, limit=2, next=mine, **{"match[type]": "identity"})
    _error(other_query, 400)
    altered = mine[:-2] + ("A" if mine[-2] != "A" else "B") + mine[-1]
    _error(_get(served, path, limit=2, next=altered), 400)
    _error(_get(served, path, limit=2, next="forged"), 400)


def test_errors_in_taxii_form(served: Served) -> None:
    path = _objects_path(served)
    url = f"{served.base}/taxii2/ledger/{path}"
    _error(httpx.get(url, headers={"Accept": TAXII}), 401)
    _error(httpx.get(url, headers=served.headers("unclassified", "application/json")), 406)
    _error(
        httpx.get(
            url, headers=served.headers("unclassified", "application/taxii+json;version=2.0")
        ),
        406,
    )
    assert httpx.get(url, headers=served.headers("unclassified", "*/*")).status_code == 200
    _error(httpx.get(url, headers=served.headers("producer")), 403)
    _error(httpx.get(f"{served.base}/taxii2/nope/", headers=served.headers()), 404)
    _error(
        httpx.get(f"{served.base}/taxii2/ledger/collections/nope/", headers=served.headers()), 404
    )
    _error(httpx.get(f"{served.base}/taxii2/ledger/status/x/", headers=served.headers()), 404)
    _error(_get(served, path, added_after="yesterday"), 400)
    _error(_get(served, path, limit="many"), 400)
    _error(_get(served, path, **{"match[version]": "newest"}), 400)
    _error(_get(served, path, **{"match[colour]": "red"}), 400)
    assert "NUL" in _error(_get(served, path, added_after="\x00"), 400)["description"]
    envelope: dict[str, list[Any]] = {"objects": []}
    wrong = httpx.post(url, json=envelope, headers=served.headers("producer"))
    _error(wrong, 415)
    right = httpx.post(
        url,
        content=json.dumps(envelope),
        headers={**served.headers("producer"), "Content-Type": TAXII},
    )
    assert "read only" in _error(right, 403)["description"]
    _error(httpx.post(url, json=envelope, headers={"Accept": TAXII}), 401)


def test_a_producer_sees_the_collection_it_cannot_read(served: Served) -> None:
    listed = httpx.get(
        f"{served.base}/taxii2/ledger/collections/", headers=served.headers("producer")
    )
    assert listed.status_code == 200
    collection, inbox = listed.json()["collections"]
    assert collection["can_read"] is False and collection["can_write"] is False
    assert collection["media_types"] == ["application/stix+json;version=2.1"]
    assert inbox["alias"] == "inbox" and inbox["id"] != collection["id"]
    assert inbox["can_read"] is False and inbox["can_write"] is True


def test_stix2s_taxii_collection_source_queries_it(served: Served) -> None:
    from stix2 import Filter, TAXIICollectionSource

    source = TAXIICollectionSource(_collection(served, "secret"))
    expected = served.export(SECRET)
    identities = source.query([Filter("type", "=", "identity")])
    assert sorted(o.id for o in identities) == sorted(
        o["id"] for o in expected if o["type"] == "identity"
    )
    every = served.export(SECRET, all_versions=True)
    counts: dict[str, int] = {}
    for obj in every:
        counts[obj["id"]] = counts.get(obj["id"], 0) + 1
    several = max(counts, key=lambda id: counts[id])
    assert counts[several] > 1
    versions = source.all_versions(several)
    assert len(versions) == counts[several]
    newest = source.get(several)
    assert newest is not None and newest.modified == max(v.modified for v in versions)
    hidden = {o["id"] for o in every} - {o["id"] for o in served.export(UNCLASSIFIED, True)}
    public = TAXIICollectionSource(_collection(served, "unclassified"))
    assert hidden and all(public.get(id) is None for id in hidden)


def test_a_poller_gets_what_was_added_since_its_last_page(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    with open_ledger(settings) as ledger:
        ledger.append([make("SourceRegistered", source_id="source:q"), make("ActorRegistered")])
        with ledger.connection() as conn:
            key = keys.create(conn, Role.ANALYST, "poller", UNCLASSIFIED)[1]
        with uvicorn_server(settings) as base:
            served = Served(base, {"unclassified": key}, settings)
            path = _objects_path(served)
            first = _get(served, path)
            assert len(first.json()["objects"]) > 2
            since = first.headers["x-taxii-date-added-last"]
            ledger.append([make("SourceReliabilityAssessed", source_id="source:q")])
            ledger.append([marked(make("PlaceRegistered"), Classification.SECRET, [])])
            ledger.append([make("PlaceRegistered", place_id="place:new")])
            polled = _get(served, path, added_after=since)  # the collection grows
            new = polled.json()["objects"]
            assert [o["type"] for o in new] == ["identity", "location"]
            every = {o["id"]: o for o in served.export(UNCLASSIFIED)}
            assert all(every[o["id"]] == o for o in new)
            again = _get(served, path, added_after=polled.headers["x-taxii-date-added-last"])
            assert again.json() == {"more": False}
