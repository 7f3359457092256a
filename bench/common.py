"""Shared benchmark plumbing: databases, timing, percentiles, reporting."""

import json
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from rich.console import Console
from rich.table import Table

SERVER = os.environ.get("LEDGER_BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A freshly created database on the benchmark server, dropped afterwards."""
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield make_conninfo(SERVER, dbname=name)
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def kept_database(name: str) -> Iterator[str]:
    """A database on the benchmark server that is created if missing and kept, so a
    large ledger is appended once and reused by later runs."""
    with psycopg.connect(SERVER, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f"CREATE DATABASE {name}")
    yield make_conninfo(SERVER, dbname=name)


@dataclass
class Measurement:
    """One system doing one workload: throughput and latency percentiles (ms)."""

    system: str
    workload: str
    events: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    peak_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def percentile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "workload": self.workload,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.rate),
            "p50_ms": round(self.percentile(50), 3),
            "p99_ms": round(self.percentile(99), 3),
            "peak_mb": None if self.peak_mb is None else round(self.peak_mb, 1),
        }


def timed(
    calls: list[Callable[[], object]], system: str, workload: str, events: int
) -> Measurement:
    """Run each call once, timing each; the total is wall time over all of them."""
    latencies = []
    start = time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t0) * 1000)
    return Measurement(system, workload, events, time.perf_counter() - start, latencies)


def peak_python_mb(run: Callable[[], object]) -> float:
    """Peak Python heap allocated while ``run`` runs (tracemalloc), in MB."""
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def report(
    name: str,
    rows: list[Measurement],
    ratios: dict[str, float],
    meta: dict[str, Any],
    figures: dict[str, float] | None = None,
) -> Path:
    """Print a table and save the figures as JSON under bench/results/."""
    console = Console()
    table = Table(title=f"bench {name}")
    for column in ("system", "workload", "events", "events/s", "p50 ms", "p99 ms", "peak MB"):
        table.add_column(column, justify="left" if column in ("system", "workload") else "right")
    for m in rows:
        s = m.summary()
        table.add_row(
            s["system"],
            s["workload"],
            str(s["events"]),
            f"{s['events_per_s']:,}",
            f"{s['p50_ms']:.2f}",
            f"{s['p99_ms']:.2f}",
            "-" if s["peak_mb"] is None else f"{s['peak_mb']:.1f}",
        )
    console.print(table)
    for label, ratio in ratios.items():
        console.print(f"{label}: {ratio:.2f}x")
    for label, value in (figures or {}).items():
        console.print(f"{label}: {value:,.1f}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    document = {
        "benchmark": name,
        "at": stamp,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        **meta,
        "results": [m.summary() for m in rows],
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "figures": {k: round(v, 1) for k, v in (figures or {}).items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    console.print(
        f"saved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    )
    return path


__all__ = ["Measurement", "asdict", "peak_python_mb", "report", "scratch_database", "timed"]
