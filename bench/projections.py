"""Projection speed on a synthetic ledger: full rebuild, incremental fold, as-of queries.

    python -m bench.projections --events 1000000

- rebuild: ``ledger.projection.rebuild`` of every projection into a shadow schema and
  the swap, events/s and peak RSS during it of this process and its worker processes
  (sampled every 50 ms), and that peak less this process's RSS just before (which
  holds the synthetic generator's lists): what the rebuild itself takes;
- incremental: 1,000 new events folded on top, the fold alone and then a whole Dagster
  run (``materialize`` of the four assets) for its overhead;
- as-of: ``posture(as_of=..., actor=...)`` for random actors at random record times,
  p50/p99 latency, against the current-rows table read as the baseline;
- ``ledger project`` as a user runs it (a new process: imports, Dagster, the folds and
  the per-run checks) after 1,000 new events, wall time over ``--command-runs`` runs
  (the median is the figure), against the bare in-process fold of another 1,000 as the
  baseline. A first run before it verifies the whole chain once (the per-run chain
  check then resumes from there), as any deployment's first run does;
- ``ledger project --follow``: one follower process, started once; from the commit of
  1,000 new events to every projection's cursor at the new head (folds and per-run
  checks done), over ``--follow-runs`` increments after one warm-up.

``--database NAME`` keeps the ledger in that database and reuses it on the next run (a
1M-event ledger takes minutes to append).
"""

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta

import psutil
from dagster import DagsterInstance, materialize

from bench.common import Measurement, kept_database, report, scratch_database
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.projection import fold, posture_reads, rebuild
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import digest
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from projections.assets import ALL_ASSETS
from projections.resources import KafkaResource, LedgerResource


class PeakRss:
    """Samples the resident memory of this process and its worker processes (a rebuild's
    folds and a long verify run in some), summed, in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            total = process.memory_info().rss
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # it ended meanwhile
                    total += child.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def as_of_latencies(ledger: PostgresLedger, samples: int) -> tuple[Measurement, Measurement]:
    rng = random.Random(3)
    with ledger.connection() as conn:
        actors = [
            r[0]
            for r in conn.execute("SELECT DISTINCT actor_id FROM projection.reports").fetchall()
        ]
        first, last = conn.execute(
            "SELECT min(recorded_at), max(recorded_at) FROM ledger.events"
        ).fetchone()  # type: ignore[misc]
        span = (last - first).total_seconds()
        timed, current = [], []
        for _ in range(samples):
            actor = rng.choice(actors)
            moment = first + timedelta(seconds=rng.uniform(0, span))
            t0 = time.perf_counter()
            position = ledger.position_at(moment)
            posture_reads.posture(conn, position, actor=actor)
            timed.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            conn.execute(
                "SELECT * FROM projection.current_posture WHERE actor_id = %s", (actor,)
            ).fetchall()
            current.append((time.perf_counter() - t0) * 1000)
    return (
        Measurement("posture as_of (facts)", "query, one actor", samples, sum(timed) / 1000, timed),
        Measurement(
            "current_posture table", "query, one actor", samples, sum(current) / 1000, current
        ),
    )


BENCH_DB = "ledger_bench_projections"


def project_command(url: str) -> float:
    """Wall seconds of `ledger project` in a fresh process, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATABASE_URL"] = url
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ledger", "project"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def _lowest_cursor(ledger: PostgresLedger) -> int:
    with ledger.connection() as conn:
        row = conn.execute("SELECT min(position) FROM projection.cursors").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def follow_latencies(ledger: PostgresLedger, url: str, runs: int, seed: int) -> list[float]:
    """Seconds from the commit of 1,000 new events to the projections at the new head,
    with one ``ledger project --follow`` process serving every increment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATABASE_URL"] = url
    follower = subprocess.Popen(
        [sys.executable, "-m", "ledger", "project", "--follow", "--every", "0.02"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds: list[float] = []
    try:
        for run in range(runs + 1):  # the first increment warms the follower up
            ledger.append(synthetic_events(1000, seed=seed + run))
            target = ledger.head().position
            t0 = time.perf_counter()
            while _lowest_cursor(ledger) < target:
                if follower.poll() is not None:
                    raise SystemExit(f"the follower stopped (exit {follower.returncode})")
                time.sleep(0.01)
            if run:
                seconds.append(time.perf_counter() - t0)
    finally:
        follower.terminate()
        follower.wait(timeout=60)
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Projection benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--database", help="keep the ledger in this database for reruns")
    parser.add_argument("--command-runs", type=int, default=5)
    parser.add_argument("--follow-runs", type=int, default=10)
    args = parser.parse_args(argv)
    place = kept_database(args.database) if args.database else scratch_database(BENCH_DB)
    with place as url:
        with open_ledger(Settings(database_url=url), prepare="init") as ledger:
            head = ledger.head().position
            if head < args.events:
                t0 = time.perf_counter()
                ledger.append(synthetic_events(args.events - head, seed=17 + head))
                print(f"ledger of {args.events} events appended in {time.perf_counter() - t0:.0f}s")

            fresh = ledger.head().position  # seeds no earlier run used: new events each run
            before = psutil.Process().memory_info().rss  # the generator's lists included
            with PeakRss() as memory:
                t0 = time.perf_counter()
                rebuild(ledger)
                seconds = time.perf_counter() - t0
            rebuilt = Measurement(
                "rebuild (3 projections)",
                "full fold + swap",
                fresh,  # a kept ledger holds the increments of earlier runs too
                seconds,
                [seconds * 1000],
            )
            rebuilt.peak_mb = memory.peak / 1e6

            ledger.append(synthetic_events(1000, seed=fresh + 18))
            t0 = time.perf_counter()
            for name in PROJECTIONS:
                fold(ledger, name, with_digest=False)
            incremental = time.perf_counter() - t0
            t0 = time.perf_counter()
            with ledger.connection() as conn:
                for name in PROJECTIONS:
                    digest(conn, name)
            digests = time.perf_counter() - t0
            inc = Measurement(
                "incremental fold", "1,000 new events", 1000, incremental, [incremental * 1000]
            )

            ledger.append(synthetic_events(1000, seed=fresh + 19))
            resources = {"ledger": LedgerResource(database_url=url), "kafka": KafkaResource()}
            t0 = time.perf_counter()
            materialize(
                ALL_ASSETS,
                resources=resources,
                instance=DagsterInstance.ephemeral(),
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
            dagster_run = time.perf_counter() - t0
            run = Measurement(
                "Dagster run", "1,000 new events", 1000, dagster_run, [dagster_run * 1000]
            )

            first = project_command(url)  # the first run verifies the chain from position 1
            print(f"first `ledger project` (whole chain verified once): {first:.1f}s")
            commands = []
            for k in range(args.command_runs):
                ledger.append(synthetic_events(1000, seed=fresh + 100 + k))
                commands.append(project_command(url))
            command = statistics.median(commands)
            ledger.append(synthetic_events(1000, seed=fresh + 21))
            t0 = time.perf_counter()
            for name in PROJECTIONS:
                fold(ledger, name, with_digest=False)
            bare = time.perf_counter() - t0
            project = Measurement(
                "`ledger project`",
                "1,000 new events, new process",
                1000 * len(commands),
                sum(commands),
                [c * 1000 for c in commands],
            )

            followed = follow_latencies(ledger, url, args.follow_runs, seed=fresh + 22)
            following = Measurement(
                "`ledger project --follow`",
                "1,000 new events, one process",
                1000 * len(followed),
                sum(followed),
                [s * 1000 for s in followed],
            )

            as_of, current = as_of_latencies(ledger, args.queries)
    report(
        "projections",
        [rebuilt, inc, run, project, following, as_of, current],
        {
            "as_of p99 / current-table p99": as_of.percentile(99) / current.percentile(99),
            "`ledger project` / bare fold of 1k": command / bare,
            "`--follow` p50 / bare fold of 1k": following.percentile(50) / 1000 / bare,
        },
        {"events": args.events, "queries": args.queries},
        {
            "rebuild events/s": rebuilt.rate,
            "rebuild peak RSS MB": rebuilt.peak_mb or 0.0,
            "rebuild RSS growth MB (its workers whole)": (memory.peak - before) / 1e6,
            "incremental fold of 1k s": incremental,
            "digests of all projections s": digests,
            "Dagster run (fold + digests + orchestration) s": dagster_run,
            "`ledger project` wall s (median)": command,
            "bare fold of 1k (baseline) s": bare,
        },
    )


if __name__ == "__main__":
    main()
