"""Projection speed on a synthetic ledger: full rebuild, incremental fold, as-of queries.

    python -m bench.projections --events 1000000

- rebuild: ``ledger.projection.rebuild`` of every projection into a shadow schema and
  the swap, events/s and peak RSS of this process during it (sampled every 50 ms);
- incremental: 1,000 new events folded on top, the fold alone and then a whole Dagster
  run (``materialize`` of the four assets) for its overhead;
- as-of: ``posture(as_of=..., actor=...)`` for random actors at random record times,
  p50/p99 latency, against the current-rows table read as the baseline.
"""

import argparse
import random
import threading
import time
from datetime import timedelta

import psutil
from dagster import DagsterInstance, materialize

from bench.common import Measurement, report, scratch_database
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.projection import fold, force_posture, rebuild
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import digest
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from projections.assets import ALL_ASSETS
from projections.resources import KafkaResource, LedgerResource


class PeakRss:
    """Samples this process's resident memory in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
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
            force_posture.posture(conn, position, actor=actor)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Projection benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args(argv)
    with scratch_database("ledger_bench_projections") as url:
        with open_ledger(Settings(database_url=url), prepare="init") as ledger:
            t0 = time.perf_counter()
            ledger.append(synthetic_events(args.events, seed=17))
            print(f"ledger of {args.events} events appended in {time.perf_counter() - t0:.0f}s")

            with PeakRss() as memory:
                t0 = time.perf_counter()
                rebuild(ledger)
                seconds = time.perf_counter() - t0
            rebuilt = Measurement(
                "rebuild (3 projections)",
                "full fold + swap",
                args.events,
                seconds,
                [seconds * 1000],
            )
            rebuilt.peak_mb = memory.peak / 1e6

            ledger.append(synthetic_events(1000, seed=18))
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

            ledger.append(synthetic_events(1000, seed=19))
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

            as_of, current = as_of_latencies(ledger, args.queries)
    report(
        "projections",
        [rebuilt, inc, run, as_of, current],
        {"as_of p99 / current-table p99": as_of.percentile(99) / current.percentile(99)},
        {"events": args.events, "queries": args.queries},
        {
            "rebuild events/s": rebuilt.rate,
            "rebuild peak RSS MB": rebuilt.peak_mb or 0.0,
            "incremental fold of 1k s": incremental,
            "digests of all projections s": digests,
            "Dagster run (fold + digests + orchestration) s": dagster_run,
        },
    )


if __name__ == "__main__":
    main()
