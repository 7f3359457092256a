"""Audit speed on a synthetic ledger: verify and replay rates, and memory as it grows.

    python -m bench.audit --events 1000000 --checkpoints 250000

At each checkpoint (the ledger grown to that size), in this process:

- baseline: a bare streamed read of the rows verify reads (same query, same server-side
  cursor, nothing done with them), and SHA-256 over the same bytes;
- verify: ``ledger.audit.verify`` of the whole ledger without the projection check
  (contiguity, chain, registry, decoding, columns, unique ids), events/s and peak RSS
  (its worker processes included), and the same in one pass (``workers=1``);
- replay: ``ledger.audit.replay`` of every projection at the head into a scratch schema,
  events/s and peak RSS.

Peak RSS is of the whole process, which also holds the synthetic generator (its lists of
ids grow with the ledger); the growth of RSS during each run, over the RSS just before
it, is what verify and replay themselves need. Flat memory shows as the same growth at
every checkpoint.
"""

import argparse
import gc
import hashlib
import time

import psutil
from psycopg import sql

from bench.common import Measurement, report, scratch_database
from bench.projections import PeakRss
from bench.synthetic import synthetic_events
from ledger.audit.range_scan import FETCH_ROWS
from ledger.audit.replay import replay
from ledger.audit.verify import verify
from ledger.config import Settings
from ledger.projection.fold import drop_schema
from ledger.runtime import open_ledger
from ledger.store.audit_reads import ROW_QUERY
from ledger.store.postgres import PostgresLedger


def bare_read(ledger: PostgresLedger, last: int, hashing: bool) -> float:
    """Seconds to stream the rows verify reads (and, with ``hashing``, SHA-256 them)."""
    started = time.perf_counter()
    sha256 = hashlib.sha256
    with ledger.connection() as conn, conn.transaction():
        with conn.cursor(name="bench_read", binary=True) as cur:
            cur.itersize = FETCH_ROWS
            cur.execute(sql.SQL(ROW_QUERY).format(1, last))
            for row in cur:
                if hashing:
                    sha256(row[3] + row[2]).digest()
    return time.perf_counter() - started


def rss_mb() -> float:
    gc.collect()
    return float(psutil.Process().memory_info().rss) / 1e6


def measure(ledger: PostgresLedger, size: int) -> tuple[list[Measurement], dict[str, float]]:
    label = f"{size:,} events"
    read = bare_read(ledger, size, hashing=False)
    hashed = bare_read(ledger, size, hashing=True)
    before = rss_mb()
    with PeakRss() as memory:
        t0 = time.perf_counter()
        verified = verify(ledger, projections=False)
        verify_seconds = time.perf_counter() - t0
    assert verified.ok, verified.findings.kept
    verify_rss, verify_growth = memory.peak / 1e6, memory.peak / 1e6 - before
    t0 = time.perf_counter()
    assert verify(ledger, projections=False, workers=1).ok
    one_pass = time.perf_counter() - t0
    before = rss_mb()
    with PeakRss() as memory:
        t0 = time.perf_counter()
        replayed = replay(ledger, schema="projection_bench_replay")
        replay_seconds = time.perf_counter() - t0
    replay_rss, replay_growth = memory.peak / 1e6, memory.peak / 1e6 - before
    drop_schema(ledger, "projection_bench_replay")
    assert replayed.position == size
    rows = [
        Measurement("bare streamed read", label, size, read, [read * 1000]),
        Measurement("read + sha256", label, size, hashed, [hashed * 1000]),
        Measurement("audit verify", label, size, verify_seconds, [verify_seconds * 1000]),
        Measurement("audit verify, one pass", label, size, one_pass, [one_pass * 1000]),
        Measurement("audit replay", label, size, replay_seconds, [replay_seconds * 1000]),
    ]
    rows[2].peak_mb, rows[4].peak_mb = verify_rss, replay_rss
    figures = {
        f"verify events/s at {size}": size / verify_seconds,
        f"replay events/s at {size}": size / replay_seconds,
        f"verify peak RSS MB at {size}": verify_rss,
        f"replay peak RSS MB at {size}": replay_rss,
        f"verify RSS growth MB at {size}": verify_growth,
        f"replay RSS growth MB at {size}": replay_growth,
        f"verify / bare read at {size}": read / verify_seconds,
        f"verify / read + sha256 at {size}": hashed / verify_seconds,
        f"verify in one pass / read + sha256 at {size}": hashed / one_pass,
        f"replay / bare read at {size}": read / replay_seconds,
    }
    return rows, figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Audit benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--checkpoints",
        default="250000",
        help="Comma-separated sizes to measure at before the full size.",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.checkpoints.split(",") if s} | {args.events})
    rows: list[Measurement] = []
    figures: dict[str, float] = {}
    events = synthetic_events(args.events, seed=17)
    with scratch_database("ledger_bench_audit") as url:
        with open_ledger(Settings(database_url=url), prepare="init") as ledger:
            appended = 0
            for size in sizes:
                t0 = time.perf_counter()
                ledger.append(next(events) for _ in range(size - appended))
                appended = size
                print(f"ledger grown to {size:,} events in {time.perf_counter() - t0:.0f}s")
                measured, found = measure(ledger, size)
                rows.extend(measured)
                figures.update(found)
    largest = sizes[-1]
    report(
        "audit",
        rows,
        {
            "verify / bare streamed read": figures[f"verify / bare read at {largest}"],
            "verify / read + sha256 (the aim's baseline)": figures[
                f"verify / read + sha256 at {largest}"
            ],
            "replay / bare streamed read": figures[f"replay / bare read at {largest}"],
        },
        {"events": args.events, "checkpoints": sizes},
        figures,
    )


if __name__ == "__main__":
    main()
