"""Posture as_of, timeline and claim history latency at 1M events, for comparing the
posture rules of two versions of the code (issue 11: the second rules within 1.2x of
the first). Each version runs this file against its own database, with its own code:

    git worktree add /tmp/old-rules e64681a     # the last commit with the first rules
    cp bench/posture_rules.py bench/synthetic.py /tmp/old-rules/bench/
    (cd /tmp/old-rules && PYTHONPATH=/tmp/old-rules python -m bench.posture_rules \
        --root /tmp/old-rules --database ledger_rules_old_1m --samples 1500)
    python -m bench.posture_rules --root . --database ledger_rules_new_1m --samples 1500

The two files are copied into the old checkout and run from there: the worker
processes of its parallel rebuild then import that version alone, and both databases
get the same synthetic events. Run the two one after the
other, twice, on a quiet machine: the first run of each fills its database (1M
synthetic events, seed 17, as ``bench.projections``; a few minutes) and rebuilds its
projections. The same actors, moments and claims are asked of both (fixed seeds, claims
chosen by the md5 of their id).
"""

import argparse
import inspect
import random
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def percentiles(calls: Iterable[Callable[[], object]]) -> tuple[float, float]:
    """(p50, p99) in ms of running each call once."""
    spent = []
    for call in calls:
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return spent[len(spent) // 2], spent[int(len(spent) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Posture rules latency (see module doc).")
    parser.add_argument("--root", required=True, help="the checkout whose code to measure")
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--samples", type=int, default=300, help="as_of answers per run (p99 of 300 is noisy)"
    )
    args = parser.parse_args()
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    import psycopg

    import ledger

    if not ledger.__file__ or not ledger.__file__.startswith(root):
        raise SystemExit(f"ledger comes from {ledger.__file__}, not {root}: set PYTHONPATH")
    from bench.projections import as_of_latencies
    from bench.synthetic import synthetic_events
    from ledger.config import Settings
    from ledger.projection import claim_history, rebuild

    try:
        from ledger.projection import posture_reads
    except ImportError:  # a checkout from before the posture's reads had a module
        from ledger.projection import force_posture as posture_reads  # type: ignore[no-redef]
    from ledger.runtime import open_ledger

    server = "host=127.0.0.1 port=5432 user=postgres"
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as conn:
        known = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not conn.execute(known, (args.database,)).fetchone():
            conn.execute(f"CREATE DATABASE {args.database}")
    with open_ledger(
        Settings(database_url=f"{server} dbname={args.database}"), prepare="init"
    ) as store:
        if store.head().position == 0:
            store.append(synthetic_events(1_000_000, seed=17))
            rebuild(store)
        as_of_latencies(store, 100)  # warm the caches
        rng = random.Random(5)
        now = datetime.now(UTC)
        with_valid_at = "valid_at" in inspect.signature(posture_reads.timeline).parameters
        with store.connection() as conn:
            head = store.head().position
            actors = [
                r[0]
                for r in conn.execute("SELECT DISTINCT actor_id FROM projection.reports ORDER BY 1")
            ]
            claims = [
                r[0]
                for r in conn.execute(
                    # the same claims in both databases (a TABLESAMPLE follows the
                    # physical layout, which differs between the two versions' folds)
                    "SELECT claim_id FROM projection.claims ORDER BY md5(claim_id) LIMIT %s",
                    (args.samples,),
                )
            ]

            def timeline(actor: str, position: int) -> Callable[[], Any]:
                if with_valid_at:
                    return lambda: posture_reads.timeline(conn, position, now, actor=actor)
                return lambda: posture_reads.timeline(conn, position, actor=actor)  # type: ignore[call-arg]

            def history(claim: str, position: int) -> Callable[[], Any]:
                return lambda: claim_history.claim_history(conn, claim, position)

            for run in range(args.runs):
                as_of, _ = as_of_latencies(store, args.samples)
                steps = percentiles(
                    timeline(a, rng.randrange(head // 2, head))
                    for a in rng.choices(actors, k=args.samples * 2 // 3)
                )
                histories = percentiles(history(c, rng.randrange(head // 2, head)) for c in claims)
                print(
                    f"{root} run {run}: posture as_of p50 {as_of.percentile(50):.2f} ms,"
                    f" p99 {as_of.percentile(99):.2f} ms; timeline p50 {steps[0]:.2f} ms,"
                    f" p99 {steps[1]:.2f} ms; claim history p50 {histories[0]:.2f} ms,"
                    f" p99 {histories[1]:.2f} ms"
                )


if __name__ == "__main__":
    main()
