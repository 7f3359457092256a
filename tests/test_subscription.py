"""``ledger.subscribe`` against a real server over real PostgreSQL: the ledger's events,
checked, through a cut connection and a drop for slowness; and a tampered stream (the
server's own messages, altered on the way) raises."""

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import httpx
import pytest
from httpx_sse import connect_sse

import ledger
from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.errors import BrokenChain, StreamCut
from ledger.log.note import Signer
from ledger.runtime import open_ledger
from ledger.store.checkpoints import Checkpoints
from ledger.subscription import Subscription
from tests.factories import make
from tests.helpers import Served, seed, served
from tests.scenarios import marked

SEEDED = 138
LOG_KEY = Signer.generate("test.example/log")


@pytest.fixture
def seeded(database_url: str) -> str:
    with open_ledger(Settings(database_url=database_url)) as opened:
        seed(opened)
        Checkpoints(opened).issue(LOG_KEY)
    return database_url


def test_the_ledgers_events_checked_as_they_come(seeded: str) -> None:
    with (
        served(seeded) as server,
        ledger.subscribe(
            server.base, key=server.key, public_key=LOG_KEY.verifier, sees_all=True
        ) as events,
    ):
        got = list(itertools.islice(events, SEEDED))
        assert got == list(server.ledger.read())
        assert events.check.verified_through == SEEDED  # the signed root, rebuilt
        assert events.checkpoint is not None and events.checkpoint.size == SEEDED
        (later,) = server.ledger.append([make("ClaimAsserted")])
        assert next(iter(events)).position == later.position == SEEDED + 1


def test_from_a_position_with_its_anchor(seeded: str) -> None:
    with served(seeded) as server:
        anchor = next(server.ledger.read(after=99, limit=1)).hash
        with ledger.subscribe(server.base, from_position=101, key=server.key, anchor=anchor) as s:
            assert [e.position for e in itertools.islice(s, 3)] == [101, 102, 103]
            assert s.check.unchecked_links == 0


class Proxy:
    """A TCP relay to the server whose connections can be cut."""

    def __init__(self, base: str) -> None:
        self._upstream = (urlsplit(base).hostname or "", urlsplit(base).port or 80)
        self._listening = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._listening.getsockname()[1]}"
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self._listening.accept()
                upstream = socket.create_connection(self._upstream)
                self._open += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)

    def cut(self) -> None:
        for s in self._open:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._open.clear()

    def close(self) -> None:
        self._listening.close()
        self.cut()


@contextmanager
def proxied(server: Served) -> Iterator[Proxy]:
    proxy = Proxy(server.base)
    try:
        yield proxy
    finally:
        proxy.close()


def test_resumed_after_a_cut_without_a_gap_or_a_repeat(seeded: str) -> None:
    with (
        served(seeded) as server,
        proxied(server) as proxy,
        ledger.subscribe(proxy.base, key=server.key, sees_all=True) as events,
    ):
        stream = iter(events)
        first = [e.position for e in itertools.islice(stream, 50)]
        proxy.cut()  # what the client holds already is read first, then it reconnects
        rest = [e.position for e in itertools.islice(stream, SEEDED - 50)]
        server.ledger.append([make("ClaimAsserted") for _ in range(5)])
        rest += [e.position for e in itertools.islice(stream, 5)]
        assert first + rest == list(range(1, SEEDED + 6))
        assert events.reconnects >= 1


def test_resumed_after_being_dropped_as_too_slow(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as opened:
        opened.append([make("ClaimAsserted") for _ in range(3000)])
    total = SEEDED + 3000
    with (
        served(seeded, stream_queue=4, stream_patience=0.3, send_buffer=8192) as server,
        ledger.subscribe(server.base, key=server.key, sees_all=True) as events,
    ):
        stream = iter(events)
        positions = [next(stream).position]
        time.sleep(2)  # too slow: the server drops it and says where to resume
        positions += [e.position for e in itertools.islice(stream, total - 1)]
        assert positions == list(range(1, total + 1))
        assert events.reconnects >= 1


def test_a_cleared_key_checks_what_it_can_across_the_gaps(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as opened:
        opened.append(
            [
                make("ClaimAsserted"),
                marked(make("ClaimAsserted"), Classification.SECRET, []),
                make("ClaimAsserted"),
            ]
        )
    with (
        served(seeded, Clearance.of("RESTRICTED", [])) as server,
        ledger.subscribe(server.base, key=server.key) as events,
    ):
        got = [e.position for e in itertools.islice(events, SEEDED + 2)]
        assert got[-3:] == [SEEDED, SEEDED + 1, SEEDED + 3]
        assert events.check.unchecked_links == 1


def _messages(server: Served, count: int) -> list[tuple[str, str]]:
    """The first ``count`` event messages the server sends: (id, data)."""
    with (
        httpx.Client(base_url=server.base, timeout=10) as client,
        connect_sse(client, "GET", "/stream", headers=server.headers) as source,
    ):
        found = (m for m in source.iter_sse() if m.event == "event")
        return [(m.id, m.data) for m in itertools.islice(found, count)]


def _replayed(messages: list[tuple[str, str]]) -> Subscription:
    """A subscription reading exactly ``messages`` (as an altered server would send)."""
    body = "".join(f"id: {i}\nevent: event\ndata: {data}\n\n" for i, data in messages)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    return Subscription("http://ledger.test", retries=0, transport=httpx.MockTransport(answer))


def test_a_tampered_stream_raises_naming_the_position(seeded: str) -> None:
    with served(seeded) as server:
        messages = _messages(server, 10)
    assert [e.position for e in itertools.islice(_replayed(messages), 10)] == list(range(1, 11))

    seventh = messages[6][1].replace('"payload":"', '"payload":"AAAA')  # still base64
    altered = [*messages[:6], (messages[6][0], seventh)]
    with pytest.raises(BrokenChain, match="position 7: its hash is not SHA-256"):
        list(_replayed(altered))
    with pytest.raises(BrokenChain, match="position 6: it came after position 6"):
        list(_replayed([*messages[:6], messages[5]]))
    hidden_seven = [*messages[:6], *messages[7:]]
    with pytest.raises(BrokenChain, match="position 8: it came right after position 6"):
        list(Subscription.__iter__(_sees_all(_replayed(hidden_seven))))


def _sees_all(subscription: Subscription) -> Subscription:
    subscription.check.sees_all = True
    return subscription


def test_a_refused_stream_says_why(seeded: str) -> None:
    with served(seeded) as server:
        with pytest.raises(StreamCut, match="refused the stream: 401 the API key is unknown"):
            next(iter(ledger.subscribe(server.base, key="ledger_nothing")))


@pytest.mark.slow
def test_ten_subscribers_while_a_producer_appends(seeded: str) -> None:
    batches, size = 50, 100
    total = SEEDED + batches * size
    with served(seeded) as server:
        got: list[list[int]] = [[] for _ in range(10)]
        failures: list[BaseException] = []

        def subscriber(index: int) -> None:
            try:
                with ledger.subscribe(server.base, key=server.key, sees_all=True) as events:
                    got[index] = [e.position for e in itertools.islice(events, total)]
            except BaseException as exc:  # reported by the test's thread
                failures.append(exc)

        readers = [threading.Thread(target=subscriber, args=(i,)) for i in range(10)]
        for reader in readers:
            reader.start()
        for _ in range(batches):
            server.ledger.append([make("ClaimAsserted") for _ in range(size)])
        for reader in readers:
            reader.join(timeout=120)
    assert not failures, failures
    assert all(positions == list(range(1, total + 1)) for positions in got)
