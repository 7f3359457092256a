"""Workbench page speed, measured in the browser (Debian chromium through Playwright):
the seed posture page, and a posture of 10,000 (actor, place) rows.

    python -m bench.workbench [--actors 100 --places 100] [--runs 5]

Each page is loaded ``runs`` times after a warm-up; printed are the median and worst
times from navigation start to the load event (server time included), and the page's
size. Aims: seed under 1 s, 10,000 rows under 3 s. Not a timed test.
"""

import argparse
import statistics
import threading
import time
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright

from bench.common import scratch_database
from ledger.api.app import create_app
from ledger.authoring.expand import expand
from ledger.authoring.report import Report
from ledger.config import KafkaSettings, Settings
from ledger.demo import load_seed
from ledger.domain.references import Kind
from ledger.intake.sinks import DirectSink
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.gazetteer import entries
from ledger.web import keys
from ledger.web.keys import Role

CHROMIUM = "/usr/bin/chromium"


def grid_report(actors: int, places: int) -> dict[str, Any]:
    """A report whose claims put every actor at every place: actors x places rows."""
    return {
        "recorded_by": "analyst:bench",
        "document": {
            "id": "doc:bench-grid",
            "title": "Bench grid",
            "outlet": "Bench outlet",
            "published": "2016-01-01T00:00:00Z",
        },
        "sources": [{"id": "source:bench", "kind": "OUTLET", "name": "Bench outlet"}],
        "actors": [
            {"id": f"actor:bench-{a}", "name": f"Bench unit {a}", "kind": "ARMED_FORCE"}
            for a in range(actors)
        ],
        "places": [
            {
                "id": f"place:bench-{p}",
                "name": f"Bench place {p}",
                "kind": "CITY",
                "latitude": 30 + (p // 10) * 0.8,
                "longitude": 34 + (p % 10) * 1.1,
            }
            for p in range(places)
        ],
        "claims": [
            {
                "id": f"claim:bench-{a}",
                "kind": "DEPLOYMENT",
                "statement": f"Bench unit {a} is everywhere.",
                "actors": [f"Bench unit {a}"],
                "valid": {"start": "2016-01-01T00:00:00Z", "precision": "DAY"},
                "credibility": "POSSIBLY_TRUE",
                "chain": [{"said_by": "Bench outlet", "mode": "AUTHOR_ASSERTION"}],
                "deployments": [
                    {
                        "actor": f"Bench unit {a}",
                        "place": {"id": f"place:bench-{p}", "name": f"Bench place {p}"},
                        "strength": f"about {100 * (1 + (a * p) % 40)}",
                        "activity": "PRESENT",
                    }
                    for p in range(places)
                ],
            }
            for a in range(actors)
        ],
    }


def fill(url: str, grid: tuple[int, int] | None) -> str:
    """Load the seed (or the grid), fold, and make an analyst key."""
    with open_ledger(Settings(database_url=url), prepare="init") as ledger:
        if grid is None:
            load_seed(ledger)
        else:
            report = Report.model_validate(grid_report(*grid))
            known = list(entries(ledger, [Kind.ACTOR, Kind.PLACE, Kind.SOURCE]))
            DirectSink(ledger).publish_stream(expand(report, known, "bench"))
        for name in PROJECTIONS:
            fold(ledger, name)
        with ledger.connection() as conn:
            return keys.create(conn, Role.ANALYST, "bench")[1]


def measure(url: str, key: str, runs: int) -> tuple[list[float], int, int]:
    """Load times (s) of the posture page, its size and its number of marks."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(database_url=url), KafkaSettings(bootstrap=None)),
            host="127.0.0.1",
            port=8791,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8791"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.goto(f"{base}/workbench/")
            page.fill("input[name=key]", key)
            page.click("form[action$='/signin'] button[type=submit]")
            page.wait_for_selector("svg.posture-map")
            times = []
            for _ in range(runs + 1):
                page.goto(f"{base}/workbench/", wait_until="load")
                timing = page.evaluate(
                    "() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return [n.loadEventEnd - n.startTime, n.transferSize]; }"
                )
                times.append(timing[0] / 1000)
                size = int(timing[1])
            marks = page.locator("g.mark").count()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return times[1:], size, marks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Workbench page speed (see module doc).")
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    cases: list[tuple[str, tuple[int, int] | None, float]] = [
        ("seed posture", None, 1.0),
        (f"{args.actors * args.places} rows", (args.actors, args.places), 3.0),
    ]
    for name, grid, aim in cases:
        with scratch_database("ledger_bench_workbench") as url:
            started = time.perf_counter()
            key = fill(url, grid)
            built = time.perf_counter() - started
            times, size, marks = measure(url, key, args.runs)
        print(
            f"{name}: {marks} marks, page {size / 1e6:.2f} MB; load median "
            f"{statistics.median(times):.3f} s, worst {max(times):.3f} s (aim < {aim:.0f} s); "
            f"ledger built in {built:.0f} s"
        )


if __name__ == "__main__":
    main()
