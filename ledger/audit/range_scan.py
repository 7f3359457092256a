"""The row checks of ``verify`` over one range of positions, and a long range split over
worker processes.

A range's checks need only what stands before it: the stored hash and record time of
the event before it (the chain), the right edge of the stored Merkle tree there, and the
producer key register folded from the key events before it. A range verify takes these
as stored. A whole verify split into parts proves them instead: the part before a
junction ends on exactly the hash, record time and tree edge it computed and checked
itself, and the parts are merged only if each junction agrees (a disagreement is a
finding at the junction). So a split verify checks what one pass checks, with the
Python per event (decoding, two SHA-256s, the tree) on every core.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ledger.audit.report import Findings
from ledger.audit.scan import ScanState, WriterSchemas, scan
from ledger.audit.signature_check import SignatureCheck
from ledger.audit.tree_check import TreeCheck, stored_nodes
from ledger.chain import GENESIS_HASH
from ledger.codec.single_object import AvroCodec
from ledger.errors import LedgerError
from ledger.log.producer_keys import ProducerKeys
from ledger.split import ranges
from ledger.store.audit_reads import (
    chain_state,
    key_event_rows,
    last_stored,
    nodes_between,
    registry_entries,
    rows_between,
    tree_edge,
    written_with,
)
from ledger.store.postgres import PostgresLedger
from ledger.store.worker import worker_store

FETCH_ROWS = 20_000

PARALLEL_MIN_EVENTS = 200_000
"""Ranges shorter than this are checked in the calling process: starting a worker costs
about a second."""

MIN_PART_EVENTS = 100_000
"""The fewest events a part of a split is given, however many workers are asked for."""


@dataclass(frozen=True)
class RangeJob:
    """Positions ``start`` to ``last`` of a verify that began at ``first``."""

    first: int
    """Tree nodes over events before this position are taken as stored."""
    start: int
    last: int
    nodes_until: int
    """Stored tree nodes up to this position are met (beyond the head, for the last part
    of a whole verify: nodes stored where no event is are findings)."""
    anchors: dict[int, bytes] = field(default_factory=dict)
    roots: dict[int, tuple[bytes, str]] = field(default_factory=dict)
    ends_ledger: bool = True
    """The range's last position is the verify's last (a gap there ends the ledger)."""


@dataclass
class RangeResult:
    """What a range's checks found, and the chain and tree state on both sides of it."""

    job: RangeJob
    findings: Findings
    state: ScanState
    hash_before: bytes
    micros_before: int | None
    edge_before: dict[int, bytes]
    edge_after: dict[int, bytes]


def keys_before(codec: AvroCodec, conn: Any, start: int) -> ProducerKeys:
    """The producer key register before ``start``, folded from the key events as stored;
    one that does not read is left out (the range that holds it reports it)."""
    keys = ProducerKeys()
    for position, payload in key_event_rows(conn, start):
        try:
            event = codec.decode(payload)
        except LedgerError:
            continue
        if keys.refusal(event) is None:
            keys.apply(position, event)
    return keys


def start_state(conn: Any, start: int, findings: Findings) -> ScanState:
    """The chain state before ``start``: genesis, or the stored event before it."""
    if start == 1:
        return ScanState(1, GENESIS_HASH)
    found = chain_state(conn, start - 1)
    if found is None:
        findings.add("contiguity", start - 1, f"position {start - 1} is missing")
        return ScanState(start, GENESIS_HASH)
    return ScanState(start, found[0], found[1])


def scan_range(
    ledger: PostgresLedger, job: RangeJob, progress: Callable[[int], None] | None = None
) -> RangeResult:
    """Every row check of ``job``'s positions, in one streamed pass (flat memory)."""
    findings = Findings()
    with ledger.connection() as conn:
        schemas = WriterSchemas.check(registry_entries(conn), ledger.codec.registry)
        state = start_state(conn, job.start, findings)
        signatures = SignatureCheck(
            findings, ledger.codec, keys_before(ledger.codec, conn, job.start)
        )
        edge = tree_edge(conn, job.start - 1)
        if job.start > job.first:  # a later part of a split: one pass reports an altered
            # registry entry once, at its first use, which may lie in a part before
            state.reported_fingerprints |= written_with(conn, schemas.broken, job.first, job.start)
    hash_before, micros_before = state.previous_hash, state.previous_micros
    with ledger.connection() as conn, conn.transaction():
        with (
            conn.cursor(name="audit_verify", binary=True) as cur,
            conn.cursor(name="audit_tree", binary=True) as nodes,
        ):
            cur.itersize = nodes.itersize = FETCH_ROWS
            rows_between(cur, job.start, job.last)
            nodes_between(nodes, job.start, job.nodes_until)
            tree = TreeCheck(findings, stored_nodes(nodes), edge, job.roots, first=job.first)
            scan(
                tree.rows(cur),
                state,
                schemas,
                findings,
                anchors=job.anchors,
                progress=progress,
                signatures=signatures,
            )
            tree.finish()
    if state.expected <= job.last:
        findings.add(
            "contiguity",
            state.expected,
            f"positions {state.expected}-{job.last} are missing"
            + (" (the ledger ends early)" if job.ends_ledger else ""),
        )
    return RangeResult(job, findings, state, hash_before, micros_before, edge, dict(tree.edge))


def part_count(job: RangeJob, workers: int) -> int:
    """Into how many parts ``workers`` processes split ``job``: one each, but none
    shorter than ``MIN_PART_EVENTS`` (and at least two: the caller chose to split)."""
    return max(2, min(workers, (job.last - job.start + 1) // MIN_PART_EVENTS))


def split(ledger: PostgresLedger, job: RangeJob, parts: int) -> list[RangeJob]:
    """``job`` in up to ``parts`` ranges of about equal length, each beginning right
    after a stored event (so the event before every junction is there to be checked)."""
    starts = [job.start]
    with ledger.connection() as conn:
        for after, _ in ranges(job.start - 1, job.last, parts)[1:]:
            stored = last_stored(conn, after, starts[-1])
            if stored is not None and stored + 1 > starts[-1]:
                starts.append(stored + 1)
    bounds = [*starts, job.last + 1]
    jobs = []
    for begin, end in pairwise(bounds):
        final = end == job.last + 1
        jobs.append(
            RangeJob(
                first=job.first,
                start=begin,
                last=end - 1,
                nodes_until=job.nodes_until if final else end - 1,
                anchors={p: h for p, h in job.anchors.items() if begin <= p < end},
                roots={p: r for p, r in job.roots.items() if begin <= p < end},
                ends_ledger=final and job.ends_ledger,
            )
        )
    return jobs


def merge(results: list[RangeResult], findings: Findings) -> ScanState:
    """The parts' findings into ``findings``, in position order, and the state after the
    last part; each junction where a part did not begin on what the part before it ended
    on is a finding there."""
    state = ScanState(results[0].job.start, results[0].hash_before, results[0].micros_before)
    for i, result in enumerate(results):
        if i:
            before = results[i - 1]
            junction = result.job.start - 1
            if (before.state.previous_hash, before.state.previous_micros) != (
                result.hash_before,
                result.micros_before,
            ):
                findings.add(
                    "hash_chain",
                    junction,
                    "the stored hash changed while the ledger was being verified",
                )
            if before.edge_after != result.edge_before:
                findings.add(
                    "merkle_tree",
                    junction,
                    "the stored tree's right edge here is not the one the events before it give",
                )
        findings.absorb(result.findings)
        state.events += result.state.events
        state.reported_fingerprints |= result.state.reported_fingerprints
        state.anchors_seen |= result.state.anchors_seen
        state.expected = result.state.expected
        state.previous_hash = result.state.previous_hash
        state.previous_micros = result.state.previous_micros
    return state


def scan_in_parallel(
    ledger: PostgresLedger,
    job: RangeJob,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> list[RangeResult]:
    """``job`` split over ``workers`` processes (``split``), each with its own
    connections; the parts' results in position order."""
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    jobs = split(ledger, job, part_count(job, workers))
    context = get_context("spawn")  # never fork a process that holds a connection pool
    seen = context.Value("q", 0)
    with ProcessPoolExecutor(
        max_workers=len(jobs), mp_context=context, initializer=_share, initargs=(seen,)
    ) as pool:
        futures = [pool.submit(_scan_part, ledger.conninfo, part) for part in jobs]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            if progress is not None:
                progress(seen.value)
        return [future.result() for future in futures]


_seen: Any = None
"""In a worker: the events its process has scanned, shared with the parent (progress)."""


def _share(seen: Any) -> None:
    global _seen
    _seen = seen


def _scan_part(conninfo: str, job: RangeJob) -> RangeResult:
    """One worker's range."""
    told = 0

    def progress(count: int) -> None:
        nonlocal told
        with _seen.get_lock():
            _seen.value += count - told
        told = count

    with worker_store(conninfo, "ledger-verify") as ledger:
        result = scan_range(ledger, job, progress)
    progress(result.state.events)
    return result
