"""STIX import speed: a bundle of ``--events`` synthetic events' objects into an empty
ledger, against ``ledger append`` of the very events it maps to, in the same run.

    python -m bench.stix_import --events 100000

In this process: a synthetic ledger (all UNCLASSIFIED) is exported as the operator;
then, each into a fresh empty ledger:

- baseline: the events the bundle maps to, as JSON Lines, through ``ledger append``'s
  path (lines checked, then submitted through the intake, streamed);
- import: ``ledger import stix``'s path on the bundle (parsed and mapped with what the
  ledger holds, then submitted through the same intake), events/s and objects/s, and
  its peak RSS (aim: at least 0.5x the baseline's events/s).
"""

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from bench.common import Measurement, report, scratch_database
from bench.projections import PeakRss
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR
from ledger.intake import OPERATOR_CALLER, Options, Streamed, submit
from ledger.intake.limits import DEFAULT_LIMITS
from ledger.intake.lines import check_lines, iter_events, split_lines
from ledger.intake.sinks import DirectSink
from ledger.ports import LedgerStore
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.importer import map_bundle
from ledger.stix.importing import import_bundle


def placed(events: Iterator[Event]) -> Iterator[Event]:
    """The synthetic events, each place given coordinates: a STIX location needs them
    (or a region or country, which a registration does not hold), so a place without
    any has no object in the bundle and what names it could not be imported."""
    for index, event in enumerate(events):
        if event.event_type() == "PlaceRegistered":
            event = event.model_copy(
                update={"latitude": 30.0 + index % 10, "longitude": 40.0 + index % 7}
            )
        yield event


def fill(ledger: LedgerStore, total: int) -> None:
    batch: list[Event] = []
    for event in placed(synthetic_events(total, seed=11)):
        batch.append(event)
        if len(batch) == 5000:
            ledger.append(batch)
            batch = []
    ledger.append(batch)


LIMITS = replace(DEFAULT_LIMITS, max_body_bytes=1 << 30, max_batch_events=1_000_000)
"""The default limits but for the size: a bundle of 100k objects is about 100 MB, and
one import takes at most LEDGER_MAX_BATCH_EVENTS objects (10,000 by default)."""


def _settings(url: str) -> Settings:
    return Settings(database_url=url, pool_size=4)


def appended(url: str, lines: Path) -> Measurement:
    """``ledger append``'s path on a JSON Lines file: checked whole, then streamed."""
    with open_ledger(_settings(url), prepare="init") as ledger:
        limits = DEFAULT_LIMITS
        started = time.perf_counter()
        with lines.open("rb") as handle:
            count = check_lines(split_lines(handle, limits.max_body_bytes), str(lines), limits)

        def events() -> Iterator[tuple[int, Event]]:
            with lines.open("rb") as handle:
                for parsed in iter_events(split_lines(handle, limits.max_body_bytes), "", limits):
                    yield parsed.line, parsed.event

        options = Options(label=lambda n: f"line {n}")
        submit(Streamed(events), OPERATOR_CALLER, options, DirectSink(ledger))
        seconds = time.perf_counter() - started
        assert ledger.head().position == count
    return Measurement(
        "ledger append", "the mapped events as JSON Lines", count, seconds, [seconds * 1e3]
    )


def imported(url: str, raw: bytes, objects: int) -> tuple[Measurement, dict[str, float]]:
    with open_ledger(_settings(url), prepare="init") as ledger:
        started = time.perf_counter()
        with PeakRss() as peak:
            outcome = import_bundle(
                raw,
                recorded_by="bench",
                caller=OPERATOR_CALLER,
                sink=DirectSink(ledger),
                source="bundle",
                limits=LIMITS,
            )
        seconds = time.perf_counter() - started
        assert ledger.head().position == outcome.appended
    measured = Measurement(
        "ledger import stix", "the bundle", outcome.appended, seconds, [seconds * 1e3]
    )
    measured.peak_mb = peak.peak / 1e6
    return measured, {"objects/s": objects / seconds, "objects": objects}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args(argv)
    with scratch_database("ledger_bench_stix_source") as source_url:
        with open_ledger(_settings(source_url), prepare="init") as source:
            fill(source, args.events)
            head = source.head().position
            raw = b"".join(
                StixExport(source, ExportRequest(head, OPERATOR), Context("bench.local/log"))
            )
    objects = len(json.loads(raw)["objects"])
    mapped = map_bundle(raw, recorded_by="bench", limits=LIMITS).events
    with tempfile.TemporaryDirectory() as folder:
        lines = Path(folder) / "mapped.jsonl"
        with lines.open("w") as out:
            for event in mapped:
                body = event.model_dump(mode="json", exclude_none=True)
                out.write(json.dumps({"type": event.event_type(), **body}) + "\n")
        with scratch_database("ledger_bench_stix_append") as url:
            baseline = appended(url, lines)
    with scratch_database("ledger_bench_stix_import") as url:
        measured, extra = imported(url, raw, objects)
    report(
        "stix_import",
        [baseline, measured],
        {"import events/s / append events/s": measured.rate / baseline.rate},
        {"events": args.events, "objects": objects, "mapped events": len(mapped)},
        extra,
    )


if __name__ == "__main__":
    main()
