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
  objects/s against it (aim >= 0.5x);
- medallion: the reference server (medallion 3.0.0, OASIS's, its memory backend) on a
  free loopback port in a thread, loaded with the first ``--medallion-objects`` objects
  of our warm walk (the objects our collection serves, in its order), walked by the same
  ``as_pages`` code with the same page size: objects/s and page p50/p99 against ours
  (aim: ours >= 2x its objects/s and a lower page p99). Its first page filters and
  sorts the whole collection in quadratic time (its spec_version and date_added
  filters compare every object with every other: about 6 s at 1,000 objects, 90 s at
  4,000 here), so the default is 3,000 objects.

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
from typing import Any

import httpx2 as httpx
import requests
import uvicorn
from taxii2client.v21 import Collection, Server, as_pages

from bench import medallion
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


def ours(base: str, key: str) -> Collection:
    """Our read collection as ``taxii2-client`` sees it, for ``key``."""
    root = Server(f"{base}/taxii2/", auth=_Bearer(key)).default
    assert root is not None
    (collection,) = (c for c in root.collections if c.can_read)
    return collection


def walk(
    collection: Collection, page: int, label: str, keep: list[dict[str, Any]] | None = None
) -> tuple[Measurement, list[str]]:
    """``as_pages`` to the end: objects/s, each page's latency; the ``next`` tokens
    (bound to the collection's objects URL). ``keep`` gets the objects if given."""
    count, tokens, latencies = 0, [], []
    started = last = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=page):
        now = time.perf_counter()
        latencies.append((now - last) * 1e3)
        last = now
        objects = envelope.get("objects", [])
        count += len(objects)
        if keep is not None:
            keep.extend(objects)
        if "next" in envelope:
            tokens.append(envelope["next"])
    seconds = time.perf_counter() - started
    return Measurement(label, f"as_pages, {page} a page", count, seconds, latencies), tokens


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
    parser.add_argument("--medallion-objects", type=int, default=3000)
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
            cold, _ = walk(ours(base, key), args.page, "cold walk")
            held = rss_mb() - before
            objects: list[dict[str, Any]] = []
            collection = ours(base, key)
            warm, tokens = walk(collection, args.page, "warm walk", objects)
            url = collection.objects_url
            page = pages(url, key, tokens, args.page, args.samples)
            exported = export(settings)  # of the ledger the walks read
            poll = polls(settings, url, key, args.new, args.polls)
    given = medallion.loadable(objects)[: args.medallion_objects]
    with medallion.served(given, args.page) as reference:
        kept: list[dict[str, Any]] = []
        theirs, _ = walk(reference, args.page, "medallion 3.0.0 walk", kept)
    if sorted(o["id"] for o in kept) != sorted(o["id"] for o in given):
        raise SystemExit("medallion's walk did not give back the objects it was loaded with")
    rest = theirs.latencies_ms[1:]  # its first page filters the collection whole
    later = [
        Measurement(
            "medallion 3.0.0 walk",
            "its pages after the first",
            len(given) - args.page,
            sum(rest) / 1e3,
            rest,
        )
    ][: 1 if rest else 0]  # one page only (--medallion-objects up to --page): no row
    report(
        "taxii",
        [cold, warm, page, poll, exported, theirs, *later],
        {
            "cold walk objects/s / export objects/s": cold.rate / exported.rate,
            "warm walk objects/s / export objects/s": warm.rate / exported.rate,
            "cold walk objects/s / medallion walk objects/s": cold.rate / theirs.rate,
            "warm walk objects/s / medallion walk objects/s": warm.rate / theirs.rate,
            "medallion walk page p99 / cold walk page p99": theirs.percentile(99)
            / cold.percentile(99),
            "medallion walk page p99 / warm walk page p99": theirs.percentile(99)
            / warm.percentile(99),
        },
        {
            "events": args.events,
            "secret_share": args.secret,
            "page": args.page,
            "medallion_objects": len(given),
        },
        {
            "cold walk: first page ms": cold.latencies_ms[0],
            "RSS growth of the walk MB": held,
            "medallion walk: first page ms": theirs.latencies_ms[0],
        },
    )


if __name__ == "__main__":
    main()
