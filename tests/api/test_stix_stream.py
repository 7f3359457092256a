"""GET /stream?format=stix on a real uvicorn server over real PostgreSQL, read by
httpx-sse: the objects are the TAXII collection's (every version, for the key's
clearance), new events arrive as their new versions, Last-Event-ID resumes without a
gap or a repeat, and a hidden event sends nothing."""

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent, connect_sse

from ledger.api.stix_stream import StixFeed
from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import PUBLIC, Clearance
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.taxii.collection import read
from ledger.taxii.media import TAXII
from tests.factories import make
from tests.helpers import Served, seed, served
from tests.scenarios import marked

SEEDED = 138
"""Events of the seed article."""

COLLECTION = "/taxii2/ledger/collections/everything/objects/"


@pytest.fixture
def seeded(database_url: str) -> str:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    return database_url


def taxii(server: Served, **params: str) -> list[dict[str, Any]]:
    """Every object of the key's TAXII collection, every version, paged to the end."""
    found: list[dict[str, Any]] = []
    query: dict[str, str] = {"match[version]": "all", "limit": "1000", **params}
    headers = {**server.headers, "Accept": TAXII}
    while True:
        page = httpx.get(f"{server.base}{COLLECTION}", params=query, headers=headers).json()
        found += page.get("objects", [])
        if not page["more"]:
            return found
        query["next"] = page["next"]


def objects(source: EventSource) -> Iterator[ServerSentEvent]:
    for message in source.iter_sse():
        assert message.event == "object", message
        yield message


def stream(server: Served, query: str = "", **headers: str) -> list[ServerSentEvent]:
    """Every message of a stream that ends by itself (``until``)."""
    with (
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(
            client, "GET", f"/stream?format=stix{query}", headers={**server.headers, **headers}
        ) as source,
    ):
        assert source.response.status_code == 200
        return list(objects(source))


def versions(messages: list[ServerSentEvent]) -> list[tuple[str, str, str]]:
    """(SSE id, STIX id, modified) of each version (the messages that have an id)."""
    bodies = [(m.id, json.loads(m.data)) for m in messages if m.id]
    return [(id, b["id"], b["modified"]) for id, b in bodies]


def test_the_objects_up_to_the_head_are_the_taxii_collection(seeded: str) -> None:
    with served(seeded) as server:
        messages = stream(server, f"&until={SEEDED}")
        expected = taxii(server)
    assert [json.loads(m.data) for m in messages] == expected  # its order, once each
    assert len(messages) > SEEDED / 2
    ids = [int(m.id) for m in messages if m.id]
    assert ids == sorted(set(ids)) and ids[-1] <= SEEDED
    for message in messages:  # the position of the event that made each version
        body = json.loads(message.data)
        rests = body.get("extensions", {}).values()
        made = [e["rests_on"][-1]["position"] for e in rests if "rests_on" in e]
        assert made == ([int(message.id)] if message.id else [])


def test_resumed_by_last_event_id_no_gap_no_repeat(seeded: str) -> None:
    with served(seeded) as server:
        whole = stream(server, f"&until={SEEDED}")
        with (
            httpx.Client(base_url=server.base, timeout=10) as client,
            connect_sse(client, "GET", "/stream?format=stix", headers=server.headers) as source,
        ):
            first = []
            for message in objects(source):
                first.append(message)
                if len(versions(first)) == 20:
                    break
        rest = stream(server, f"&until={SEEDED}", **{"Last-Event-ID": first[-1].id})
        again = stream(server, f"&from={int(first[-1].id) + 1}&until={SEEDED}")
    assert versions(first) + versions(rest) == versions(whole)
    assert [m.data for m in again] == [m.data for m in rest]
    supports = [json.loads(m.data)["id"] for m in rest if not m.id]
    # the second connection is sent what its versions need, once
    assert len(supports) == len(set(supports)) and supports
    needed = {json.loads(m.data)["created_by_ref"] for m in rest if m.id}
    assert needed <= set(supports)


def test_new_events_arrive_as_their_new_versions(seeded: str) -> None:
    with (
        served(seeded) as server,
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(
            client,
            "GET",
            "/stream?format=stix",
            headers={**server.headers, "Last-Event-ID": str(SEEDED)},
        ) as source,
    ):
        messages = objects(source)
        time.sleep(0.3)  # caught up and waiting
        got: list[ServerSentEvent] = []
        for event in (
            make("SourceRegistered", source_id="source:live"),
            make("SourceReliabilityAssessed", source_id="source:live", reliability="C"),
        ):
            committed = time.monotonic()
            (appended,) = server.ledger.append([event])
            while not got or got[-1].id != str(appended.position):
                got.append(next(messages))
            assert time.monotonic() - committed < 2.0
        expected = taxii(server)
    made = versions(got)
    assert [id for id, _, _ in made] == [str(SEEDED + 1), str(SEEDED + 2)]
    assert made[0][1] == made[1][1] and made[0][2] < made[1][2]  # one object, two versions
    assert [json.loads(m.data) for m in got if m.id] == expected[-2:]
    sent = [json.loads(m.data)["id"] for m in got if not m.id]
    assert len(sent) == len(set(sent)), "each static object and definition once"


def test_a_hidden_event_sends_nothing_to_a_lower_clearance(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        hidden = marked(
            make("SourceRegistered", source_id="source:hidden"), Classification.SECRET, []
        )
        open_ = make("SourceRegistered", source_id="source:open")
        appended = ledger.append([hidden, open_])
    with served(seeded, Clearance.of("RESTRICTED", [])) as server:
        with (
            httpx.Client(base_url=server.base, timeout=10) as client,
            connect_sse(
                client,
                "GET",
                "/stream?format=stix",
                headers={**server.headers, "Last-Event-ID": str(SEEDED)},
            ) as source,
        ):
            messages = objects(source)
            first = next(m for m in messages if m.id)
            assert first.id == str(appended[1].position)
            later = server.ledger.append(
                [
                    marked(make("SourceRegistered"), Classification.TOP_SECRET, []),
                    make("SourceRegistered", source_id="source:later"),
                ]
            )
            second = next(m for m in messages if m.id)
            assert second.id == str(later[1].position)
        whole = stream(server, f"&until={later[1].position}")
        expected = taxii(server)
    assert [json.loads(m.data) for m in whole] == expected
    ledger_ids = [
        e.get("ledger_id")
        for m in whole
        if m.id
        for e in json.loads(m.data).get("extensions", {}).values()
    ]
    assert "source:open" in ledger_ids and "source:later" in ledger_ids
    assert "source:hidden" not in ledger_ids


def test_batches_of_a_few_versions_make_the_same_stream(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        collection = read(ledger, PUBLIC, SEEDED, Context("batches"))
    whole, end = StixFeed(lambda _: collection).batch(0, SEEDED)
    assert end == SEEDED and len(whole) == len(collection.entries)
    feed, pieces, after = StixFeed(lambda _: collection, most=7), [], 0
    while after < SEEDED:
        batch, after = feed.batch(after, SEEDED)
        assert len([m for m in batch if m.position is not None]) <= 7
        pieces += batch
    assert pieces == whole


def test_an_unknown_format_is_a_422(seeded: str) -> None:
    with served(seeded) as server:
        answer = httpx.get(f"{server.base}/stream?format=xml", headers=server.headers)
    assert answer.status_code == 422
    assert "format" in answer.json()["detail"]
