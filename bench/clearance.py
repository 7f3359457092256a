"""Need-to-know costs: cleared posture reads against full-visibility reads, and appends
with their markings against the bare append function, in the same run.

    python -m bench.clearance --events 1000000 --database ledger_bench_clearance

- reads: ``ReadService.posture`` for random actors, as the operator (every event) and as
  an UNCLASSIFIED reader (its own projections, row-level security on) over a ledger in
  which a share of the events (``--secret``, default 30 %) is marked SECRET; p50/p99 of
  each, and the ratio (aim: cleared p99 within 2x of the operator's);
- fold: the cleared projections folded from scratch (events/s);
- appends: batches of 500 through ``PostgresLedger.append`` (markings written in the same
  statement) against the same batches through ``ledger.append_events`` alone, which
  writes no markings (aim: within 10 %).

``--database NAME`` keeps the ledger and reuses it on the next run.
"""

import argparse
import random
import time
from collections.abc import Iterator

from bench.common import Measurement, kept_database, report, scratch_database
from bench.synthetic import synthetic_events
from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.projection.service import LIVE, ReadService
from ledger.runtime import open_ledger
from ledger.store.postgres import _APPEND, PostgresLedger

PUBLIC = Clearance.of("UNCLASSIFIED")
BARE = """
SELECT event_id, position, recorded_at, appended
  FROM ledger.append_events(%b::uuid[], %b::text[], %b::text[], %b::timestamptz[],
                            %b::timestamptz[], %b::bytea[], %b::text[], %b::integer[],
                            %b::bigint[])
"""


def marked(events: Iterator[Event], share: float, seed: int) -> Iterator[Event]:
    rng = random.Random(seed)
    for event in events:
        if rng.random() < share:
            envelope = event.envelope.model_copy(update={"classification": Classification.SECRET})
            event = event.model_copy(update={"envelope": envelope})
        yield event


def fill(ledger: PostgresLedger, total: int, share: float) -> None:
    have = ledger.head().position
    if have >= total:
        return
    batch: list[Event] = []
    for event in marked(synthetic_events(total, seed=11), share, 5):
        if have > 0:
            have -= 1
            continue
        batch.append(event)
        if len(batch) == 5000:
            ledger.append(batch)
            batch = []
    if batch:
        ledger.append(batch)


def posture_latencies(
    reads: ReadService, actors: list[str], samples: int, label: str
) -> Measurement:
    rng = random.Random(3)
    at = reads.position(("force_posture", "claim_history", "sources"))
    latencies = []
    start = time.perf_counter()
    for _ in range(samples):
        actor = rng.choice(actors)
        t0 = time.perf_counter()
        reads.posture(at, actor=[actor], statuses=LIVE, limit=100)
        latencies.append((time.perf_counter() - t0) * 1000)
    return Measurement(label, "posture, one actor", samples, time.perf_counter() - start, latencies)


def append_rates(ledger: PostgresLedger, batches: int) -> tuple[Measurement, Measurement]:
    from ledger.store.postgres import _append_params

    events = list(marked(synthetic_events(batches * 1000, seed=99), 0.3, 6))
    chunks = [events[i : i + 500] for i in range(0, len(events), 500)]
    ours, bare = [], []
    for n, chunk in enumerate(chunks):
        encoded = [ledger.encode(e) for e in chunk]
        params = _append_params(encoded, None)
        with ledger.connection() as conn:
            t0 = time.perf_counter()
            if n % 2 == 0:
                conn.execute(_APPEND, params).fetchall()
                ours.append((time.perf_counter() - t0) * 1000)
            else:  # the same function without the markings (their rows are left out)
                conn.execute(BARE, params[:9]).fetchall()
                bare.append((time.perf_counter() - t0) * 1000)
    n_ours, n_bare = len(ours) * 500, len(bare) * 500
    return (
        Measurement("append + markings", "batch of 500", n_ours, sum(ours) / 1000, ours),
        Measurement("append_events alone", "batch of 500", n_bare, sum(bare) / 1000, bare),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--secret", type=float, default=0.3)
    parser.add_argument("--append-batches", type=int, default=20)
    parser.add_argument("--database", default=None)
    args = parser.parse_args(argv)
    database = (
        kept_database(args.database)
        if args.database
        else scratch_database("ledger_bench_clearance")
    )
    with (
        database as url,
        open_ledger(Settings(database_url=url, pool_size=4), prepare="init") as ledger,
    ):
        fill(ledger, args.events, args.secret)
        for name in PROJECTIONS:
            fold(ledger, name, with_digest=False)
        operator = ReadService(ledger)
        cleared = operator.for_clearance(PUBLIC)
        head = ledger.head().position
        t0 = time.perf_counter()
        cleared.catch_up(head)
        folded = time.perf_counter() - t0
        with ledger.connection() as conn:
            actors = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT actor_id FROM projection.reports LIMIT 500"
                ).fetchall()
            ]
        full = posture_latencies(operator, actors, args.queries, "operator (every event)")
        partial = posture_latencies(cleared, actors, args.queries, "UNCLASSIFIED reader")
        fold_rate = Measurement("cleared fold", "from scratch", head, folded, [folded * 1000])
        ours, bare = append_rates(ledger, args.append_batches)
    report(
        "clearance",
        [full, partial, fold_rate, ours, bare],
        {
            "cleared p99 / operator p99": partial.percentile(99) / full.percentile(99),
            "append with markings / append_events alone": ours.rate / bare.rate,
        },
        {"events": args.events, "secret_share": args.secret, "queries": args.queries},
    )


if __name__ == "__main__":
    main()
