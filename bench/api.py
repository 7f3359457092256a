"""HTTP API speed on a large ledger, measured by wrk (a load generator not in Python).

Builds (or reuses, with --keep) a ledger of synthetic events, folds the projections,
starts `ledger serve`, and drives each read route with 32 connections, each request
picking one of many URLs (different actors, moments, claims, positions) so no answer is
served twice in a row. The baseline, in the same run, is /health: the cheapest route
(key-free, two indexed lookups), i.e. the cost of the HTTP stack itself. Then POST
batches of 1,000 events, against the same batches appended directly in process.

    python -m bench.api --events 1000000            # wrk from Debian: apt-get install wrk
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.conninfo import make_conninfo
from rich.console import Console
from rich.table import Table

from bench.common import SERVER, Measurement, report
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.domain.marking import PUBLIC
from ledger.intake.lines import validate_batch
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.clearances import fold_cleared
from ledger.projection.fold import fold, rebuild
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from ledger.web import keys
from ledger.web.keys import Role

DATABASE = "ledger_bench_api"


@dataclass
class WrkResult:
    route: str
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    if text == "nan":
        return float("nan")
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match[1]) * _UNITS[match[2]]


def wrk(
    base: str, route: str, paths: list[str], key: str | None, seconds: int, connections: int
) -> WrkResult:
    """Run wrk with a Lua script that picks a random path per request; parse its output."""
    header = f'["Authorization"] = "Bearer {key}"' if key else ""
    lua = (
        "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "math.randomseed(7)\n"
        "request = function()\n"
        f"  return wrk.format('GET', paths[math.random(#paths)], {{{header}}})\n"
        "end\n"
        "errors = 0\n"
        "response = function(status, headers, body)\n"
        "  if status ~= 200 then errors = errors + 1 end\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    out = done.stdout
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    if socket_errors:
        print(f"  wrk {route}: {socket_errors[0]}")
    if not percentiles:  # no request finished within wrk's timeout
        raise SystemExit(f"wrk {route}: no request completed; its output was:\n{out}")
    missing = "nan"  # wrk leaves out a percentile it has too few samples for
    return WrkResult(
        route,
        rate,
        _ms(percentiles.get("50", missing)),
        _ms(percentiles.get("90", missing)),
        _ms(percentiles.get("99", missing)),
        int(non_2xx[1]) if non_2xx else 0,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(url: str, events: int) -> None:
    """Append the synthetic ledger and fold the projections, unless already there."""
    with open_ledger(Settings(database_url=url), prepare="init") as ledger:
        head = ledger.head().position
        if head >= events:  # a kept ledger (earlier runs' POSTs on top)
            for name in PROJECTIONS:
                fold(ledger, name, with_digest=False)
            print(f"reusing the ledger of {head} events in {DATABASE}")
            return
        if head:
            raise SystemExit(f"{DATABASE} holds {head} events, fewer than {events}: drop it")
        t0 = time.perf_counter()
        ledger.append(synthetic_events(events, seed=17))
        print(f"appended {events} events in {time.perf_counter() - t0:.0f}s")
        t0 = time.perf_counter()
        rebuild(ledger)
        print(f"projections rebuilt in {time.perf_counter() - t0:.0f}s")


def sample_paths(ledger: PostgresLedger, count: int) -> dict[str, list[str]]:
    rng = random.Random(11)
    with ledger.connection() as conn:
        actors = [r[0] for r in conn.execute("SELECT DISTINCT actor_id FROM projection.reports")]
        claims = [
            r[0]
            for r in conn.execute(
                "SELECT claim_id FROM projection.attributions TABLESAMPLE SYSTEM (5) LIMIT %s",
                (count,),
            )
        ]
        _, last, head = conn.execute(
            "SELECT min(recorded_at), max(recorded_at), max(position) FROM ledger.events"
        ).fetchone()  # type: ignore[misc]
        reported = conn.execute(
            "SELECT r.actor_id, e.recorded_at FROM projection.reports r TABLESAMPLE SYSTEM (5)"
            " JOIN ledger.events e ON e.position = r.position LIMIT %s",
            (count,),
        ).fetchall()

    def later(moment: datetime) -> datetime:
        return moment + timedelta(seconds=rng.uniform(0, (last - moment).total_seconds()))

    return {
        "health (baseline)": ["/health"],
        "current posture, one actor": [
            f"/posture?actor={quote(rng.choice(actors))}" for _ in range(count)
        ],
        "posture as_of, one actor": [  # an actor reported by then: an answer, not a 422
            f"/posture?actor={quote(actor)}&as_of={quote(later(at).isoformat())}"
            for actor, at in reported
        ],
        "claim history": [f"/claims/{quote(rng.choice(claims))}" for _ in range(count)],
        "event stream page (100)": [
            f"/events?after={rng.randrange(head - 100)}&limit=100" for _ in range(count)
        ],
    }


def post_batches(base: str, key: str, batches: list[list[dict[str, Any]]]) -> Measurement:
    latencies = []
    start = time.perf_counter()
    for batch in batches:
        body = json.dumps({"events": batch}).encode()
        request = urllib.request.Request(
            # the synthetic world names a few seed ids it never registers
            f"{base}/events/batch?allow_unresolved=true",
            data=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        t0 = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 201
        latencies.append((time.perf_counter() - t0) * 1000)
    total = sum(len(b) for b in batches)
    return Measurement(
        "POST /events/batch", "1,000 per batch", total, time.perf_counter() - start, latencies
    )


def direct_batches(ledger: PostgresLedger, batches: list[list[dict[str, Any]]]) -> Measurement:
    latencies = []
    start = time.perf_counter()
    for batch in batches:
        t0 = time.perf_counter()
        ledger.append(validate_batch(batch))
        latencies.append((time.perf_counter() - t0) * 1000)
    total = sum(len(b) for b in batches)
    return Measurement(
        "direct append (baseline)", "1,000 per batch", total, time.perf_counter() - start, latencies
    )


def json_batches(seed: int, batches: int) -> list[list[dict[str, Any]]]:
    events = list(synthetic_events(batches * 1000, seed=seed))
    records = [{"type": e.event_type(), **e.model_dump(mode="json")} for e in events]
    return [records[i : i + 1000] for i in range(0, len(records), 1000)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="HTTP API benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per route")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--batches", type=int, default=20, help="POSTed batches of 1,000")
    parser.add_argument("--keep", action="store_true", help=f"keep {DATABASE} for reruns")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with psycopg.connect(SERVER, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    url = make_conninfo(SERVER, dbname=DATABASE)
    try:
        build(url, args.events)
        run(url, args)
    finally:
        if not args.keep:
            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def run(url: str, args: argparse.Namespace) -> None:
    with open_ledger(Settings(database_url=url)) as ledger:
        with ledger.connection() as conn:
            analyst = keys.create(conn, Role.ANALYST, "bench analyst")[1]
            producer = keys.create(conn, Role.PRODUCER, "bench producer")[1]
        started = time.perf_counter()  # as the Dagster run does for the keys in use
        fold_cleared(ledger, [PUBLIC])
        print(f"projections of the keys' clearance folded in {time.perf_counter() - started:.0f}s")
        routes = sample_paths(ledger, 1000)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update(LEDGER_DATABASE_URL=url, LEDGER_POOL_SIZE="16")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ledger",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            results = []
            for route, paths in routes.items():
                key = None if route.startswith("health") else analyst
                wrk(base, route, paths[:50], key, 5, args.connections)  # warm up
                results.append(wrk(base, route, paths, key, args.seconds, args.connections))
                print(f"  {route}: {results[-1].requests_per_s:,.0f} req/s")
            fresh = ledger.head().position  # seeds never used before: new events
            posted = post_batches(base, producer, json_batches(fresh + 1, args.batches))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
        direct = direct_batches(ledger, json_batches(ledger.head().position + 1, args.batches))
    _print(results, args)
    baseline = results[0].requests_per_s
    figures: dict[str, float] = {}
    for r in results:
        figures[f"{r.route} req/s"] = r.requests_per_s
        figures[f"{r.route} p50 ms"] = r.p50_ms
        figures[f"{r.route} p99 ms"] = r.p99_ms
    report(
        "api",
        [posted, direct],
        {
            **{f"{r.route} req/s / health req/s": r.requests_per_s / baseline for r in results[1:]},
            "POST events/s / direct append events/s": posted.rate / direct.rate,
        },
        {
            "events": args.events,
            "connections": args.connections,
            "workers": args.workers,
            "seconds_per_route": args.seconds,
            "wrk": [r.as_dict() for r in results],
        },
        figures,
    )


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("ledger serve did not start")


def _print(results: list[WrkResult], args: argparse.Namespace) -> None:
    table = Table(
        title=f"wrk: {args.connections} connections, {args.seconds}s per route, "
        f"{args.workers} workers, {args.events:,} events"
    )
    for column in ("route", "req/s", "p50 ms", "p90 ms", "p99 ms", "non-2xx"):
        table.add_column(column, justify="left" if column == "route" else "right")
    for r in results:
        table.add_row(
            r.route,
            f"{r.requests_per_s:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p90_ms:.2f}",
            f"{r.p99_ms:.2f}",
            str(r.errors),
        )
    Console().print(table)


if __name__ == "__main__":
    main()
