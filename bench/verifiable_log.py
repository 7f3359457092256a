"""The verifiable log's costs: append with the Merkle tree against the same append
without it, how fast proofs come back, what signing a checkpoint costs, and checking
a 100-event proof bundle offline.

Append: two ledgers on the same server, one with the tree (the shipped append function)
and one whose append function is put back to the one before the tree (migration 0001's),
fed the same batches alternately, so that load on the shared machine falls on both
alike. Both the full append (encoding included) and the database side alone (events
already encoded, as from Kafka) are timed. Inclusion proofs: random positions against the
head of the larger ledger, each one query. Checkpoints: one event appended, then a
checkpoint signed (root, the check against the last checkpoint, signing, insert), timed
alone. check-proof: a bundle of 100 random events, checked in process. Signed appends:
the same full append with each event signed by its producer and checked against the key
register (the ratio is to the unsigned append's batch median).

    python -m bench.verifiable_log --events 100000
"""

import argparse
import random
import re
import time
from collections.abc import Callable, Sequence
from functools import partial
from importlib import resources
from typing import Any

from bench.common import Measurement, report, scratch_database, timed
from bench.synthetic import synthetic_events
from ledger.audit.proofs import prove
from ledger.config import Settings
from ledger.domain.events import Event, ProducerKeyRegistered
from ledger.domain.values import Envelope
from ledger.log.bundle import check_bundle
from ledger.log.note import Signer
from ledger.log.producer_signing import ProducerSigner
from ledger.runtime import open_ledger
from ledger.store.checkpoints import Checkpoints
from ledger.store.merkle import MerkleTree
from ledger.store.postgres import PostgresLedger

BATCH = 1000


def key_registered(producer: ProducerSigner) -> Event:
    """The synthetic events' producer ("bench") registers its key."""
    return ProducerKeyRegistered(
        envelope=Envelope.new("bench-admin", "producer:bench"),
        producer="bench",
        public_key=producer.public_key_text,
    )


def append_without_tree(ledger: PostgresLedger) -> None:
    """Put back the append function as it was before the tree (migration 0001), taking
    (and ignoring) the arguments later versions added, so the same call reaches it."""
    text = resources.files("ledger.store").joinpath("migrations/0001_ledger.sql").read_text()
    start = text.index("CREATE FUNCTION ledger.append_events(")
    body = text[start:].replace(
        "    p_offsets    bigint[] DEFAULT NULL\n",
        "    p_offsets    bigint[] DEFAULT NULL,\n    p_signatures bytea[] DEFAULT NULL,\n"
        "    p_keys_at    bigint DEFAULT NULL\n",
        1,
    )
    assert re.search(r"\$\$;\s*$", body) and "p_keys_at" in body
    with ledger.connection() as conn, conn.transaction():
        conn.execute(
            "DROP FUNCTION ledger.append_events(uuid[], text[], text[], timestamptz[],"
            " timestamptz[], bytea[], text[], integer[], bigint[], bytea[], bigint)"
        )
        conn.execute(body.encode())


def alternate(
    calls: dict[str, list[Callable[[], object]]], workload: str, events: int
) -> list[Measurement]:
    """Time the systems' calls in turn (a, b, a, b, ...): each gets the same load."""
    names = list(calls)
    rounds = len(calls[names[0]])
    measured: dict[str, Measurement] = {n: Measurement(n, workload, events, 0.0, []) for n in names}
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            one = timed([calls[name][i]], name, workload, 0)
            measured[name].seconds += one.seconds
            measured[name].latencies_ms.extend(one.latencies_ms)
    return list(measured.values())


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events appended per ledger")
    parser.add_argument("--proofs", type=int, default=2_000, help="inclusion proofs asked")
    parser.add_argument("--checkpoints", type=int, default=200, help="checkpoints signed")
    parser.add_argument("--checks", type=int, default=50, help="check-proof runs")
    parser.add_argument(
        "--signed", type=int, default=20_000, help="events appended signed by their producer"
    )
    args = parser.parse_args(argv)
    events: list[Event] = list(synthetic_events(args.events + BATCH, seed=1))

    rows: list[Measurement] = []
    with (
        scratch_database("ledger_bench_tree") as with_url,
        scratch_database("ledger_bench_notree") as without_url,
        open_ledger(Settings(database_url=with_url), prepare="init") as tree,
        open_ledger(Settings(database_url=without_url), prepare="init") as plain,
    ):
        append_without_tree(plain)
        half = len(events) // 2
        full, encoded = events[:half], events[half:]
        for ledger in (tree, plain):
            ledger.append(full[:BATCH])  # warm up
        batches = chunks(full[BATCH:], BATCH)
        rows += alternate(
            {
                "with tree": [partial(tree.append, b) for b in batches],
                "without tree": [partial(plain.append, b) for b in batches],
            },
            f"append x{BATCH}",
            len(full) - BATCH,
        )
        pre = [tree.encode(e) for e in encoded]
        pre_batches = chunks(pre, BATCH)
        rows += alternate(
            {
                "with tree": [partial(tree.append_encoded, b) for b in pre_batches],
                "without tree": [partial(plain.append_encoded, b) for b in pre_batches],
            },
            f"pre-encoded x{BATCH}",
            len(pre),
        )
        producer = ProducerSigner.generate()
        tree.append([key_registered(producer)])
        signed_events = list(synthetic_events(args.signed, seed=5))
        signed_batches = chunks(signed_events, BATCH)
        rows.append(
            timed(
                [partial(tree.append, b, producer) for b in signed_batches],
                "with tree, signed",
                f"append x{BATCH}",
                len(signed_events),
            )
        )
        merkle = MerkleTree(tree)
        size = merkle.size()
        rng = random.Random(7)
        positions = [rng.randint(1, size) for _ in range(args.proofs)]
        rows.append(
            timed(
                [partial(merkle.inclusion, p, size) for p in positions],
                "with tree",
                f"inclusion proof (n={size:,})",
                len(positions),
            )
        )
        signer = Signer.generate("bench.example/log")
        checkpoints = Checkpoints(tree)
        checkpoints.issue(signer)
        extra = list(synthetic_events(args.checkpoints, seed=3))
        signing: list[float] = []
        for event in extra:
            tree.append([event])
            started = time.perf_counter()
            checkpoints.issue(signer)
            signing.append((time.perf_counter() - started) * 1000)
        rows.append(
            Measurement(
                "with tree",
                "checkpoint signing",
                len(signing),
                sum(signing) / 1000,
                signing,
            )
        )
        bundle = prove(tree, rng.sample(range(1, size + 1), 100), signer=signer).encode()
        checks = timed(
            [partial(check_bundle, bundle, signer.verifier) for _ in range(args.checks)],
            "offline",
            "check-proof x100 events",
            args.checks,
        )
        rows.append(checks)
    ratios = {
        "append: with tree / without": rows[0].rate / rows[1].rate,
        "pre-encoded: with tree / without": rows[2].rate / rows[3].rate,
        # per-batch medians: steadier than totals when the machine is shared
        "append (p50 batch): with tree / without": rows[1].percentile(50) / rows[0].percentile(50),
        "pre-encoded (p50 batch): with tree / without": rows[3].percentile(50)
        / rows[2].percentile(50),
    }
    report(
        "verifiable_log",
        rows,
        ratios,
        {"batch": BATCH, "events": args.events, "proofs": args.proofs},
        {
            "signed append / unsigned (p50 batch)": rows[0].percentile(50) / rows[4].percentile(50),
            "inclusion proof p99 ms": rows[5].percentile(99),
            "checkpoint signing p50 ms": rows[6].percentile(50),
            "checkpoint signing p99 ms": rows[6].percentile(99),
            "check-proof of 100 events p50 ms": rows[7].percentile(50),
            "bundle of 100 events, KB": len(bundle) / 1000,
        },
    )


if __name__ == "__main__":
    main()
