"""GET /stream on a real uvicorn server over real PostgreSQL, read by an SSE client that
is not ours (httpx-sse): every event once, in order, ids that resume exactly, live
events within a second, the checkpoint, heartbeats, clearances, and slow subscribers."""

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent, connect_sse

from ledger.api.stream import KEY_RECHECK
from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.log.note import Signer, open_note
from ledger.runtime import open_ledger
from ledger.store.checkpoints import Checkpoints
from ledger.web import keys
from tests.factories import make
from tests.helpers import Served, seed, served
from tests.scenarios import marked

SEEDED = 138
"""Events of the seed article."""


@pytest.fixture
def seeded(database_url: str) -> str:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    return database_url


def events(source: EventSource, count: int) -> Iterator[ServerSentEvent]:
    """The next ``count`` event messages (checkpoints and the like passed over)."""
    seen = 0
    for message in source.iter_sse():
        if message.event == "event":
            yield message
            seen += 1
            if seen == count:
                return


def read(server: Served, count: int, **headers: str) -> list[ServerSentEvent]:
    with (
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(client, "GET", "/stream", headers={**server.headers, **headers}) as source,
    ):
        assert source.response.status_code == 200
        return list(events(source, count))


def test_every_event_once_in_order_in_the_form_of_get_events(seeded: str) -> None:
    with served(seeded) as server:
        messages = read(server, SEEDED)
        page = httpx.get(f"{server.base}/events?limit=1000", headers=server.headers).json()
    assert [m.id for m in messages] == [str(p) for p in range(1, SEEDED + 1)]
    bodies = [json.loads(m.data) for m in messages]
    assert all(b.pop("payload") for b in bodies)  # the stored bytes, beside the JSON form
    assert bodies == page["items"]


def test_cut_off_and_resumed_with_last_event_id_no_gap_no_repeat(seeded: str) -> None:
    with served(seeded) as server:
        first = read(server, 40)
        rest = read(server, SEEDED - 40, **{"Last-Event-ID": first[-1].id})
        assert first[-1].id == "40"
        ids = [int(m.id) for m in first + rest]
        assert ids == list(range(1, SEEDED + 1))
        # Last-Event-ID wins over from (a browser reconnects with the same URL)
        with (
            httpx.Client(base_url=server.base, timeout=10) as client,
            connect_sse(
                client, "GET", "/stream?from=3", headers={**server.headers, "Last-Event-ID": "99"}
            ) as source,
        ):
            assert next(events(source, 1)).id == "100"
        with (
            httpx.Client(base_url=server.base, timeout=10) as client,
            connect_sse(client, "GET", "/stream?from=3", headers=server.headers) as source,
        ):
            assert next(events(source, 1)).id == "3"


def test_a_stream_up_to_a_position_ends_there(seeded: str) -> None:
    with served(seeded) as server:
        answer = httpx.get(
            f"{server.base}/stream?from=5&until=7", headers=server.headers, timeout=10
        )
    ids = [line for line in answer.text.splitlines() if line.startswith("id:")]
    assert answer.status_code == 200 and ids == ["id: 5", "id: 6", "id: 7"]


def test_a_new_event_is_delivered_within_a_second_of_its_commit(seeded: str) -> None:
    with (
        served(seeded) as server,
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(
            client, "GET", "/stream", headers={**server.headers, "Last-Event-ID": str(SEEDED)}
        ) as source,
    ):
        messages = source.iter_sse()
        time.sleep(0.3)  # caught up and waiting
        delays = []
        for _ in range(5):
            committed = time.monotonic()
            (appended,) = server.ledger.append([make("ClaimAsserted")])
            message = next(m for m in messages if m.event == "event")
            delays.append(time.monotonic() - committed)
            assert message.id == str(appended.position)
    assert max(delays) < 1.0, delays


def test_a_cleared_key_never_sees_a_hidden_event(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        hidden = marked(make("ClaimAsserted"), Classification.SECRET, [])
        compartmented = marked(make("ClaimAsserted"), Classification.UNCLASSIFIED, ["ALPHA"])
        open_ = make("ClaimAsserted")
        appended = ledger.append([hidden, compartmented, open_])
    with served(seeded, Clearance.of("RESTRICTED", [])) as server:
        with (
            httpx.Client(base_url=server.base, timeout=10) as client,
            connect_sse(
                client, "GET", "/stream", headers={**server.headers, "Last-Event-ID": "138"}
            ) as source,
        ):
            messages = source.iter_sse()
            first = next(m for m in messages if m.event == "event")
            # positions stay the ledger's: the open event keeps its place after the two
            assert first.id == str(appended[2].position) == str(SEEDED + 3)
            later = server.ledger.append(
                [
                    marked(make("ClaimAsserted"), Classification.TOP_SECRET, []),
                    make("ClaimAsserted"),
                ]
            )
            second = next(m for m in messages if m.event == "event")
            assert second.id == str(later[1].position)
        seen = {json.loads(m.data)["event_id"] for m in read(server, SEEDED + 2)}
    assert str(hidden.envelope.event_id) not in seen
    assert str(compartmented.envelope.event_id) not in seen
    assert str(open_.envelope.event_id) in seen


def test_the_latest_checkpoint_comes_first_as_get_checkpoint_serves_it(seeded: str) -> None:
    signer = Signer.generate("test.example/log")
    with open_ledger(Settings(database_url=seeded)) as ledger:
        Checkpoints(ledger).issue(signer)
    with (
        served(seeded, stream_checkpoint_every=0.5) as server,
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(client, "GET", "/stream", headers=server.headers) as source,
    ):
        served_note = client.get("/checkpoint", headers=server.headers).text
        messages = source.iter_sse()
        first = next(messages)
        assert first.event == "checkpoint" and first.id == ""
        body: dict[str, Any] = json.loads(first.data)
        assert body["note"] == served_note and body["size"] == SEEDED
        open_note(body["note"], signer.verifier)
        again = next(m for m in messages if m.event == "checkpoint")  # and periodically
        assert json.loads(again.data)["size"] == SEEDED


def test_heartbeats_keep_an_idle_stream_open(database_url: str) -> None:
    with (
        served(database_url, stream_heartbeat=0.2) as server,
        httpx.Client(base_url=server.base, timeout=10) as client,
        client.stream("GET", "/stream", headers=server.headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        comments = [line for line in (next(lines) for _ in range(3)) if line.startswith(":")]
    assert comments, "an empty ledger's stream sends heartbeats (SSE comments)"


def test_refusals_are_problems_not_streams(seeded: str) -> None:
    with served(seeded) as server, httpx.Client(base_url=server.base, timeout=10) as client:
        assert client.get("/stream").status_code == 401
        bad = client.get("/stream", headers={**server.headers, "Last-Event-ID": "abc"})
        assert bad.status_code == 422
        assert bad.json()["detail"] == (
            "header.Last-Event-ID: 'abc' is not a ledger position (a whole number, 0 or more)"
        )
        assert client.get("/stream?from=0", headers=server.headers).status_code == 422
        assert client.get("/stream?form=3", headers=server.headers).status_code == 422


def test_a_slow_subscriber_is_dropped_with_the_position_to_resume_from(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        ledger.append([make("ClaimAsserted") for _ in range(3000)])
    total = SEEDED + 3000
    small = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)])
    with served(seeded, stream_queue=4, stream_patience=0.5, send_buffer=8192) as server:
        with (
            httpx.Client(base_url=server.base, timeout=30, transport=small) as client,
            connect_sse(client, "GET", "/stream", headers=server.headers) as source,
        ):
            messages = source.iter_sse()
            ids = [next(m for m in messages if m.event == "event").id]
            time.sleep(3)  # takes nothing: the queue stays full past the patience
            told = None
            for message in messages:
                if message.event == "overflow":
                    told = json.loads(message.data)
                    break
                if message.event == "event":
                    ids.append(message.id)
            assert told is not None, "the slow subscriber was never told where to resume"
            assert next(messages, None) is None, "and the stream ends there"
        assert ids == [str(p) for p in range(1, len(ids) + 1)]
        assert told["resume_from"] == len(ids) + 1 < total
        rest = read(server, total - len(ids), **{"Last-Event-ID": ids[-1]})
    assert [int(m.id) for m in rest] == list(range(len(ids) + 1, total + 1))


def test_a_key_revoked_meanwhile_ends_its_stream(seeded: str) -> None:
    with (
        served(seeded) as server,
        httpx.Client(base_url=server.base, timeout=30) as client,
        connect_sse(client, "GET", "/stream", headers=server.headers) as source,
    ):
        messages = source.iter_sse()
        next(m for m in messages if m.event == "event")
        with server.ledger.connection() as conn:
            keys.revoke(conn, server.key.split("_")[1])
        started = time.monotonic()
        rest = list(messages)  # ends by itself
        assert time.monotonic() - started < KEY_RECHECK + 3
        assert len(rest) < SEEDED
        assert client.get("/stream", headers=server.headers).status_code == 401
