"""The live stream (``GET /stream``) of ``ledger serve``, measured from outside it.

    python -m bench.stream --events 100000 --database ledger_bench_stream

Over a ledger of ``--events`` synthetic events, with ``ledger serve`` in its own process:

- catch-up: the whole ledger streamed to 1 subscriber, then to 10 at once (threads of
  this process, each counting the events it is sent): events/s delivered in all;
- live: 1 subscriber at the head while this process appends one event at a time,
  ``--live`` times: commit to delivery, p50 and p99 (aim p99 < 1 s);
- memory: the server's RSS with 10 caught-up subscribers, less its RSS with none, per
  subscriber;
- under load: 10 subscribers (``ledger.subscribe``, each checking the chain as it reads,
  anchored on the hash before their first event) at the head while this process appends
  ``--under-load`` events in batches of 1,000; each must see every event once, in
  order, or the bench stops with the reason.

``--database NAME`` keeps the ledger and reuses it on the next run.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil

from bench.common import Measurement, kept_database, report, scratch_database
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make


def fill(ledger: PostgresLedger, total: int) -> None:
    have = ledger.head().position
    batch = []
    for event in synthetic_events(total, seed=5):
        if have > 0:
            have -= 1
            continue
        batch.append(event)
        if len(batch) == 5000:
            ledger.append(batch)
            batch = []
    if batch:
        ledger.append(batch)


@contextmanager
def serving(url: str, port: int) -> Iterator[psutil.Process]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=url, LEDGER_POOL_SIZE="8")
    command = [sys.executable, "-m", "ledger", "serve", "--port", str(port), "--no-follow"]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("ledger serve did not start") from None
                time.sleep(0.3)
        yield psutil.Process(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


def read_events(base: str, key: str, count: int, after: int = 0) -> None:
    """Read ``count`` event messages of the stream (its lines, counted, nothing parsed)."""
    headers = {"Authorization": f"Bearer {key}", "Last-Event-ID": str(after)}
    seen = 0
    with httpx.stream("GET", f"{base}/stream", headers=headers, timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("id:"):
                seen += 1
                if seen == count:
                    return


def catch_up(base: str, key: str, head: int, subscribers: int) -> Measurement:
    readers = [
        threading.Thread(target=read_events, args=(base, key, head)) for _ in range(subscribers)
    ]
    started = time.perf_counter()
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    return Measurement(
        f"{subscribers} subscriber(s)", "catch-up, whole ledger", head * subscribers, seconds, []
    )


def live(base: str, key: str, ledger: PostgresLedger, count: int) -> Measurement:
    """Commit-to-delivery of ``count`` events appended one at a time."""
    after = ledger.head().position
    delivered: dict[int, float] = {}
    committed: dict[int, float] = {}

    def subscriber() -> None:
        headers = {"Authorization": f"Bearer {key}", "Last-Event-ID": str(after)}
        with httpx.stream("GET", f"{base}/stream", headers=headers, timeout=60) as response:
            for line in response.iter_lines():
                if line.startswith("id:"):
                    delivered[int(line[3:])] = time.monotonic()
                    if len(delivered) == count:
                        return

    reader = threading.Thread(target=subscriber)
    reader.start()
    time.sleep(1)
    started = time.perf_counter()
    for _ in range(count):
        (appended,) = ledger.append([make("SourceRegistered")])
        assert appended.position is not None
        committed[appended.position] = time.monotonic()
        time.sleep(0.02)
    reader.join(60)
    latencies = [(delivered[p] - committed[p]) * 1000 for p in committed if p in delivered]
    return Measurement(
        "1 subscriber", "live, commit to delivery", count, time.perf_counter() - started, latencies
    )


def under_load(base: str, key: str, ledger: PostgresLedger, count: int) -> Measurement:
    """10 checked subscribers while ``count`` events are appended in batches of 1,000."""
    from ledger.subscription import subscribe

    head = ledger.head()
    after, anchor = head.position, head.hash
    wanted = list(range(after + 1, after + count + 1))
    seen: list[list[int]] = [[] for _ in range(10)]
    failures: list[str] = []

    def subscriber(mine: list[int]) -> None:
        try:
            for event in subscribe(base, after + 1, key, anchor=anchor, sees_all=True):
                mine.append(event.position)
                if len(mine) == count:
                    return
        except Exception as exc:  # reported below: the bench fails
            failures.append(f"{type(exc).__name__}: {exc}")

    readers = [threading.Thread(target=subscriber, args=(mine,)) for mine in seen]
    for reader in readers:
        reader.start()
    time.sleep(1)
    started = time.perf_counter()
    for start in range(0, count, 1000):
        ledger.append([make("SourceRegistered") for _ in range(min(1000, count - start))])
    for reader in readers:
        reader.join(600)
    seconds = time.perf_counter() - started
    if failures or any(mine != wanted for mine in seen):
        got = [len(mine) for mine in seen]
        raise SystemExit(f"under load: subscribers failed ({failures[:3]}; counts {got})")
    return Measurement(
        "10 checked subscribers", f"while {count:,} are appended", count * 10, seconds, []
    )


def memory_per_subscriber(base: str, key: str, server: psutil.Process, head: int) -> float:
    before = server.memory_info().rss
    stop = threading.Event()

    def idle() -> None:
        headers = {"Authorization": f"Bearer {key}", "Last-Event-ID": str(head)}
        with httpx.stream("GET", f"{base}/stream", headers=headers, timeout=60) as response:
            for _ in response.iter_lines():
                if stop.is_set():
                    return

    readers = [threading.Thread(target=idle, daemon=True) for _ in range(10)]
    for reader in readers:
        reader.start()
    time.sleep(3)
    during = server.memory_info().rss
    stop.set()
    return float(during - before) / 10 / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Live stream benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=300, help="events appended one by one")
    parser.add_argument(
        "--under-load", type=int, default=10_000, help="events appended under 10 subscribers"
    )
    parser.add_argument("--database", help="keep the ledger in this database for reruns")
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args(argv)
    holder = kept_database(args.database) if args.database else scratch_database("bench_stream")
    with holder as url, open_ledger(Settings(database_url=url), prepare="init") as ledger:
        fill(ledger, args.events)
        head = ledger.head().position
        with ledger.connection() as conn:
            key = keys.create(conn, Role.ADMIN, "bench stream")[1]
        base = f"http://127.0.0.1:{args.port}"
        with serving(url, args.port) as server:
            read_events(base, key, min(head, 1000))  # warm up
            rows = [catch_up(base, key, head, 1), catch_up(base, key, head, 10)]
            rows.append(live(base, key, ledger, args.live))
            per_subscriber = memory_per_subscriber(base, key, server, ledger.head().position)
            if args.under_load:
                rows.append(under_load(base, key, ledger, args.under_load))
    report(
        "stream",
        rows,
        {"10 subscribers' events/s / 1 subscriber's": rows[1].rate / rows[0].rate},
        {"events": head},
        {"server MB per idle subscriber": per_subscriber},
    )


if __name__ == "__main__":
    main()
