"""Append throughput of the ledger against the ``eventsourcing`` library, same server.

Two workloads, each run by both systems in this process against the same PostgreSQL:
batched (1,000 events per append, one transaction each) and single (one event per
append). Events are built before timing; what is timed is what a producer waits for:
encoding, the database round trips and the commit. Peak memory is the Python heap
during one batched pass (tracemalloc), measured separately so that tracing does not
slow the timed runs.

    python -m bench.append --events 100000 --single 2000
"""

import argparse
import os
from collections.abc import Sequence
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg.conninfo import conninfo_to_dict

from bench.common import Measurement, peak_python_mb, report, scratch_database, timed
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.domain.events import Event
from ledger.runtime import open_ledger

BATCH = 1000


def _chunks(events: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [events[i : i + size] for i in range(0, len(events), size)]


def bench_ledger(events: list[Event], singles: list[Event], url: str) -> list[Measurement]:
    with open_ledger(Settings(database_url=url), prepare="init") as ledger:
        ledger.append(events[:BATCH])  # warm up: connections, prepared statements
        batches = _chunks(events[BATCH:], BATCH)
        batched = timed(
            [partial(ledger.append, b) for b in batches],
            "ledger",
            f"batched x{BATCH}",
            len(events) - BATCH,
        )
        single = timed(
            [partial(ledger.append, [e]) for e in singles], "ledger", "single", len(singles)
        )
    return [batched, single]


def bench_ledger_store(events: list[Event], url: str) -> Measurement:
    """The database side alone: events that arrive already encoded (as from Kafka)."""
    with open_ledger(Settings(database_url=url), prepare="init") as ledger:
        encoded = [ledger.encode(e) for e in events]
        ledger.append_encoded(encoded[:BATCH])
        batches = _chunks(encoded[BATCH:], BATCH)
        return timed(
            [partial(ledger.append_encoded, b) for b in batches],
            "ledger",
            f"pre-encoded x{BATCH}",
            len(events) - BATCH,
        )


class Report(Aggregate):
    """The baseline's aggregate: one event carrying the same fields as ours."""

    @event("Recorded")
    def __init__(self, kind: str, body: dict[str, Any]) -> None:
        self.kind = kind
        self.body = body


class BaselineApp(Application[UUID]):
    pass


def _eventsourcing_app(url: str) -> tuple[Any, type[Report]]:
    parts = conninfo_to_dict(url)
    os.environ.update(
        PERSISTENCE_MODULE="eventsourcing.postgres",
        POSTGRES_DBNAME=str(parts["dbname"]),
        POSTGRES_HOST=str(parts.get("host", "127.0.0.1")),
        POSTGRES_PORT=str(parts.get("port", 5432)),
        POSTGRES_USER=str(parts.get("user", "postgres")),
        POSTGRES_PASSWORD=str(parts.get("password", "")),
    )
    return BaselineApp(), Report


def bench_eventsourcing(events: list[Event], singles: list[Event], url: str) -> list[Measurement]:
    """The baseline: the same payloads as aggregates saved by eventsourcing's recorder."""
    app, report_cls = _eventsourcing_app(url)

    def aggregates(items: Sequence[Event]) -> list[Any]:
        return [report_cls(e.event_type(), e.model_dump(mode="json")) for e in items]

    app.save(*aggregates(events[:BATCH]))
    batches = [aggregates(b) for b in _chunks(events[BATCH:], BATCH)]
    batched = timed(
        [partial(app.save, *b) for b in batches],
        "eventsourcing",
        f"batched x{BATCH}",
        len(events) - BATCH,
    )
    single_aggs = aggregates(singles)
    single = timed(
        [partial(app.save, a) for a in single_aggs], "eventsourcing", "single", len(singles)
    )
    app.close()
    return [batched, single]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events appended in batches")
    parser.add_argument("--single", type=int, default=2_000, help="events appended one by one")
    args = parser.parse_args(argv)

    events = list(synthetic_events(args.events + BATCH, seed=1))
    singles = list(synthetic_events(args.single, seed=2))

    with scratch_database("ledger_bench_es") as url:
        baseline = bench_eventsourcing(events, singles, url)
    with scratch_database("ledger_bench") as url:
        ours = bench_ledger(events, singles, url)
    with scratch_database("ledger_bench_store") as url:
        store_only = bench_ledger_store(events, url)

    with scratch_database("ledger_bench_mem") as url:
        with open_ledger(Settings(database_url=url), prepare="init") as ledger:
            sample = events[: 20 * BATCH]
            ours[0].peak_mb = peak_python_mb(
                lambda: [ledger.append(b) for b in _chunks(sample, BATCH)]
            )
    with scratch_database("ledger_bench_es_mem") as url:
        app, report_cls = _eventsourcing_app(url)
        sample_aggs = [
            [report_cls(e.event_type(), e.model_dump(mode="json")) for e in b]
            for b in _chunks(events[: 20 * BATCH], BATCH)
        ]
        baseline[0].peak_mb = peak_python_mb(lambda: [app.save(*b) for b in sample_aggs])
        app.close()

    ratios = {
        "batched: ledger / eventsourcing": ours[0].rate / baseline[0].rate,
        "single: ledger / eventsourcing": ours[1].rate / baseline[1].rate,
    }
    report(
        "append",
        [*ours, store_only, *baseline],
        ratios,
        {"batch": BATCH, "events": args.events, "single": args.single},
    )


if __name__ == "__main__":
    main()
