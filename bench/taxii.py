"""TAXII 2.1 paging speed on a synthetic ledger, 30 % of it SECRET, read by an
UNCLASSIFIED key.

    python -m bench.taxii --events 20000 [--database ledger_bench_taxii]

In this process, ``ledger serve``'s app on uvicorn (in a thread) over one ledger:

- cold walk: ``taxii2-client``'s ``as_pages`` over the read collection in pages of
  ``--page`` (1,000) objects, on a fresh server (its first page reads the collection);
- warm walk: the same walk again (the collection is kept in the server's memory);
- page: ``--samples`` requests of one page of ``--page`` objects (raw HTTP, the ``next``
  of a random page of the walk), p50 and p99 (aim p99 < 100 ms);
- poll: after ``--new`` more events are appended, one page of what was added since
  (the collection grows from the one kept instead of reading the ledger whole), timed
  ``--polls`` times over fresh appends;
- memory: the growth of this process's RSS over the cold walk (the collection the
  server keeps);
- export: ``ledger export stix`` of the same ledger for the same clearance, newest
  versions (what a walk with ``match[version]=last`` gives), to a null sink: the walks'
  objects/s against it (aim >= 0.5x).

``--database NAME`` keeps the ledger and reuses it on the next run. Figures are saved
under bench/results/ (not committed).
"""

import argparse
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx2 as httpx
import requests
import uvicorn
from taxii2client.v21 import Server, as_pages

from bench.clearance import fill
from bench.common import Measurement, kept_database, report, scratch_database
from bench.stix import rss_mb
from ledger.api.app import create_app
from ledger.config import KafkaSettings, Settings
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.times import stamp
from ledger.taxii.media import TAXII
from ledger.web import keys
from ledger.web.keys import Role

READER = Clearance.of("UNCLASSIFIED")


class _Bearer(requests.auth.AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.key}"
        return r


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app on uvicorn in a thread, on a free loopback port; its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(settings, KafkaSettings(bootstrap=None))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def walk(base: str, key: str, page: int, label: str) -> tuple[Measurement, str, list[str]]:
    """``as_pages`` to the end: objects/s, each page's latency; the objects' URL and the
    ``next`` tokens (bound to that URL)."""
    root = Server(f"{base}/taxii2/", auth=_Bearer(key)).default
    assert root is not None
    (collection,) = root.collections
    count, tokens, latencies = 0, [], []
    started = last = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=page):
        now = time.perf_counter()
        latencies.append((now - last) * 1e3)
        last = now
        count += len(envelope.get("objects", []))
        if "next" in envelope:
            tokens.append(envelope["next"])
    seconds = time.perf_counter() - started
    measured = Measurement(label, f"as_pages, {page} a page", count, seconds, latencies)
    return measured, collection.objects_url, tokens


def pages(url: str, key: str, tokens: list[str], page: int, samples: int) -> Measurement:
    """One page of ``page`` objects at a time, by a random ``next`` of the walk."""
    headers = {"Authorization": f"Bearer {key}", "Accept": TAXII}
    rng = random.Random(5)
    latencies, count = [], 0
    with httpx.Client(headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for _ in range(samples):
            params: dict[str, str | int] = {"limit": page}
            if tokens:
                params["next"] = rng.choice(tokens)
            t0 = time.perf_counter()
            response = client.get(url, params=params)
            latencies.append((time.perf_counter() - t0) * 1e3)
            assert response.status_code == 200, response.text
            count += len(response.json().get("objects", []))
        seconds = time.perf_counter() - started
    return Measurement("page", f"one page of {page}", count, seconds, latencies)


def polls(settings: Settings, url: str, key: str, new: int, times: int) -> Measurement:
    """Append ``new`` events, then ask for what was added since: ``times`` times."""
    headers = {"Authorization": f"Bearer {key}", "Accept": TAXII}
    latencies, count = [], 0
    with open_ledger(settings) as ledger, httpx.Client(headers=headers, timeout=600) as client:
        total = ledger.head().position
        started = time.perf_counter()
        for _ in range(times):
            total += new
            since = stamp(datetime.now(UTC))
            fill(ledger, total, 0.3)
            t0 = time.perf_counter()
            response = client.get(url, params={"added_after": since, "limit": 10_000})
            latencies.append((time.perf_counter() - t0) * 1e3)
            assert response.status_code == 200, response.text
            count += len(response.json().get("objects", []))
        seconds = time.perf_counter() - started
    return Measurement("poll", f"what {new} new events added", count, seconds, latencies)


def export(settings: Settings) -> Measurement:
    with open_ledger(settings) as ledger:
        head = ledger.head().position
        run = StixExport(ledger, ExportRequest(head, READER), Context(settings.log_name))
        started = time.perf_counter()
        for _ in run.chunks():
            pass
        seconds = time.perf_counter() - started
    return Measurement(
        "ledger export stix", "newest versions", run.stats.objects, seconds, [seconds * 1e3]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--secret", type=float, default=0.3)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--polls", type=int, default=5)
    parser.add_argument("--database", default=None)
    args = parser.parse_args(argv)
    database = (
        kept_database(args.database) if args.database else scratch_database("ledger_bench_taxii")
    )
    with database as url:
        settings = Settings(database_url=url, pool_size=4)
        with open_ledger(settings, prepare="init") as ledger:
            fill(ledger, args.events, args.secret)
            with ledger.connection() as conn:
                key = keys.create(conn, Role.ANALYST, "bench taxii", READER)[1]
        with served(settings) as base:
            before = rss_mb()
            cold, _, _ = walk(base, key, args.page, "cold walk")
            held = rss_mb() - before
            warm, url, tokens = walk(base, key, args.page, "warm walk")
            page = pages(url, key, tokens, args.page, args.samples)
            exported = export(settings)  # of the ledger the walks read
            poll = polls(settings, url, key, args.new, args.polls)
    report(
        "taxii",
        [cold, warm, page, poll, exported],
        {
            "cold walk objects/s / export objects/s": cold.rate / exported.rate,
            "warm walk objects/s / export objects/s": warm.rate / exported.rate,
        },
        {"events": args.events, "secret_share": args.secret, "page": args.page},
        {"cold walk: first page ms": cold.latencies_ms[0], "RSS growth of the walk MB": held},
    )


if __name__ == "__main__":
    main()
