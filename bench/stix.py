"""STIX export speed and memory on a synthetic ledger, 30 % of it SECRET.

    python -m bench.stix --events 1000000 --database ledger_bench_stix

In this process, on one ledger of ``--events`` synthetic events of which a share
(``--secret``, default 30 %) is marked SECRET:

- baseline: a bare streamed read of the same rows, each payload decoded
  (``AvroCodec.fold_record``), which every export must do at least once;
- operator: ``ledger export stix`` as the operator (every event), to a null sink:
  objects/s, events/s and peak RSS (and its growth over the RSS before the export);
- UNCLASSIFIED: the same export for an UNCLASSIFIED reader, who sees 70 % of the
  events, read through row-level security (aim: within 1.5x of the operator's time).

``--database NAME`` keeps the ledger and reuses it on the next run.
"""

import argparse
import gc
import time

import psutil

from bench.clearance import fill
from bench.common import Measurement, kept_database, report, scratch_database
from bench.projections import PeakRss
from ledger.config import Settings
from ledger.domain.marking import OPERATOR, Clearance
from ledger.runtime import open_ledger
from ledger.stix.catalog import EXPORTED
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.store.postgres import PostgresLedger


def rss_mb() -> float:
    gc.collect()
    return float(psutil.Process().memory_info().rss) / 1e6


def bare_decode(ledger: PostgresLedger, head: int) -> Measurement:
    codec = ledger.codec
    started = time.perf_counter()
    count = 0
    for row in ledger.read_rows(until=head, types=EXPORTED):
        codec.fold_record(bytes(row["payload"]))
        count += 1
    seconds = time.perf_counter() - started
    return Measurement("bare read + decode", "every exported row", count, seconds, [seconds * 1e3])


def export(
    ledger: PostgresLedger, head: int, clearance: Clearance, label: str
) -> tuple[Measurement, dict[str, float]]:
    before = rss_mb()
    run = StixExport(ledger, ExportRequest(head, clearance), Context("bench.local/log"))
    size = 0
    started = time.perf_counter()
    with PeakRss() as peak:
        for piece in run:
            size += len(piece)
    seconds = time.perf_counter() - started
    measured = Measurement(
        label, "export stix, newest versions", run.stats.objects, seconds, [seconds * 1e3]
    )
    measured.peak_mb = peak.peak / 1e6
    return measured, {
        f"{label}: events read": run.stats.events,
        f"{label}: events/s": run.stats.events / seconds,
        f"{label}: MB written": size / 1e6,
        f"{label}: RSS growth MB": peak.peak / 1e6 - before,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--secret", type=float, default=0.3)
    parser.add_argument("--database", default=None)
    args = parser.parse_args(argv)
    database = (
        kept_database(args.database) if args.database else scratch_database("ledger_bench_stix")
    )
    with (
        database as url,
        open_ledger(Settings(database_url=url, pool_size=4), prepare="init") as ledger,
    ):
        fill(ledger, args.events, args.secret)
        head = ledger.head().position
        baseline = bare_decode(ledger, head)
        operator, seen = export(ledger, head, OPERATOR, "operator")
        public, cleared = export(ledger, head, Clearance.of("UNCLASSIFIED"), "UNCLASSIFIED")
    report(
        "stix",
        [baseline, operator, public],
        {
            "UNCLASSIFIED time / operator time": public.seconds / operator.seconds,
            "operator time / bare read + decode": operator.seconds / baseline.seconds,
        },
        {"events": args.events, "secret_share": args.secret},
        {**seen, **cleared},
    )


if __name__ == "__main__":
    main()
