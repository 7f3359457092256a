"""``verify``: prove that nothing in the ledger was altered, and that the projections are
exactly what the events produce.

Checks, over the whole ledger or a range of positions: contiguity, record time order,
the hash chain, the Merkle tree and the signed checkpoints, the schema registry entries,
that every payload decodes with the schema it names and agrees with the columns beside
it, that event ids are unique, optional anchors (a position and the hash an auditor
recorded there), that every Kafka offset up to the archiver's position is accounted for
exactly once, and that each projection equals a fresh replay. The events are streamed
in one pass: memory stays flat.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ledger import split
from ledger.audit.checkpoint_check import signed_roots
from ledger.audit.damage import DamageTolerantLedger
from ledger.audit.projection_check import compare_with_fresh_fold
from ledger.audit.range_scan import (
    PARALLEL_MIN_EVENTS,
    RangeJob,
    merge,
    scan_in_parallel,
    scan_range,
)
from ledger.audit.report import CheckOutcome, Findings, VerifyReport
from ledger.audit.scan import ScanState, WriterSchemas
from ledger.chain import GENESIS_HASH
from ledger.config import KafkaSettings
from ledger.errors import LedgerError, explained
from ledger.log.note import Verifier
from ledger.store.audit_reads import duplicate_ids, hash_at, registry_entries
from ledger.store.checkpoints import Checkpoints
from ledger.store.postgres import PostgresLedger

SCAN_CHECKS = {
    "contiguity": "positions follow each other with no gap",
    "record_time": "record time never goes backwards",
    "hash_chain": "each hash covers the hash before it, the position, record time and bytes",
    "schema_registry": "registry entries match their fingerprints",
    "decoding": "every payload decodes with the schema its fingerprint names",
    "columns": "event id, type and stream columns agree with the payload",
    "markings": "the marking kept for each event (row-level security) is the payload's",
    "merkle_tree": "every stored node of the RFC 9162 Merkle tree is the hash of the events",
    "producer_signatures": "each signature verifies with its producer's key, registered and "
    "not revoked before it; producers that must sign did",
}


@dataclass(frozen=True)
class Anchor:
    """A position and the hash an auditor recorded for it."""

    position: int
    hash: bytes

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        position, _, digest = text.partition(":")
        try:
            anchor = cls(int(position), bytes.fromhex(digest))
        except ValueError:
            anchor = None
        if anchor is None or anchor.position < 1 or len(anchor.hash) != 32:
            raise LedgerError(
                f"anchor {text!r} is not POSITION:HASH (a position from 1 and 64 hex digits, "
                "as `ledger audit verify --anchor` prints it)"
            )
        return anchor

    def __str__(self) -> str:
        return f"{self.position}:{self.hash.hex()}"


def verify(
    ledger: PostgresLedger,
    *,
    start: int = 1,
    end: int | None = None,
    anchors: list[Anchor] | None = None,
    kafka: KafkaSettings | None = None,
    projections: bool = True,
    progress: Callable[[int], None] | None = None,
    log_key: Verifier | None = None,
    workers: int | None = None,
) -> VerifyReport:
    """Verify positions ``start`` to ``end`` (default the head) and, for a whole-ledger
    run, the Kafka offsets and projections; see the module docstring. A whole verify of
    ``PARALLEL_MIN_EVENTS`` or more splits its row checks over ``workers`` processes
    (default one per core; 1 keeps one pass), with the same findings."""
    started = time.perf_counter()
    if start < 1:
        raise LedgerError(f"--from {start}: positions start at 1")
    findings = Findings()
    checks: list[CheckOutcome] = []
    head = ledger.head().position
    last = head if end is None else min(end, head)
    whole = start == 1 and last == head
    if end is not None and end < start:
        raise LedgerError(f"--to {end} is before --from {start}: nothing to verify")
    wanted = {a.position: a.hash for a in anchors or []}
    with ledger.connection() as conn:
        schemas = WriterSchemas.check(registry_entries(conn), ledger.codec.registry)
    rows_started = time.perf_counter()
    checkpoints = Checkpoints(ledger)
    roots, checkpoint_outcome = signed_roots(
        checkpoints.all(), findings, log_key, head, start, last
    )
    _cosignatures(checkpoints, findings)
    state = ScanState(start, GENESIS_HASH)
    if last >= start:
        job = RangeJob(
            first=start,
            start=start,
            last=last,
            nodes_until=(1 << 62) if whole else last,  # a whole verify meets nodes beyond
            anchors={p: h for p, h in wanted.items() if start <= p <= last},
            roots=roots,
        )
        workers = split.worker_count() if workers is None else workers
        if whole and workers > 1 and last - start + 1 >= PARALLEL_MIN_EVENTS:
            # each junction is proven by the part before it (see range_scan); a range
            # verify takes what stands before it on trust, and so stays one pass
            state = merge(scan_in_parallel(ledger, job, workers, progress), findings)
        else:
            state = merge([scan_range(ledger, job, progress)], findings)
    for fingerprint, problem in schemas.broken.items():
        if fingerprint not in state.reported_fingerprints:
            findings.add("schema_registry", None, f"{problem} (no event in the range uses it)")
    scanned = state.events
    rate = scanned / max(time.perf_counter() - rows_started, 1e-9)
    for name, meaning in SCAN_CHECKS.items():
        failed = findings.count(name) > 0
        checks.append(
            CheckOutcome(
                name,
                "failed" if failed else "passed",
                meaning + (f" ({scanned:,} events, {rate:,.0f}/s)" if name == "hash_chain" else ""),
            )
        )
    if checkpoint_outcome.status == "passed" and findings.count("checkpoint"):
        checkpoint_outcome.status = "failed"
    checks.append(checkpoint_outcome)
    checks.append(_unique_ids(ledger, findings, start, last))
    checks.append(_anchors(ledger, findings, wanted, state.anchors_seen, head))
    if whole:
        # Imported here: kafka-python costs a quarter second to import, and a range
        # verify (every `ledger project`) never talks to Kafka.
        from ledger.audit.kafka_offsets import check_offsets

        checks.append(check_offsets(ledger, findings, kafka))
    else:
        checks.append(CheckOutcome("kafka_offsets", "skipped", "only on a whole-ledger verify"))
    if not projections:
        checks.append(CheckOutcome("projections", "skipped", "not asked for"))
    elif not whole:
        checks.append(CheckOutcome("projections", "skipped", "only on a whole-ledger verify"))
    else:
        checks.append(_projections(ledger, findings, frozenset(findings.positions)))
    with ledger.connection() as conn:
        last_hash = hash_at(conn, last) if last >= 1 else GENESIS_HASH
    return VerifyReport(
        source="ledger",
        first=start,
        last=last,
        events=scanned,
        last_hash=last_hash,
        checks=checks,
        findings=findings,
        seconds=time.perf_counter() - started,
        anchor=f"{last}:{last_hash.hex()}" if last >= 1 and last_hash is not None else None,
    )


def _cosignatures(checkpoints: Checkpoints, findings: Findings) -> None:
    """Every kept cosignature verifies with a registered witness key over its checkpoint."""
    for size, line, problem in checkpoints.unverified():
        shown = line.split(" ")[1] if line.count(" ") == 2 else line[:40]
        findings.add(
            "checkpoint",
            size or None,
            f"the cosignature of {shown} kept for the checkpoint of size {size}: {problem}",
        )


def _unique_ids(ledger: PostgresLedger, findings: Findings, start: int, last: int) -> CheckOutcome:
    """No event id at two positions, unless each later event's producer could not have
    seen the earlier ones: a later event's marking must not cover an earlier one's (the
    append function looks ids up among the events the producer sees). A range verify
    looks up only the ids of its range, so it costs what the range costs."""
    whole = start <= 1 and last >= ledger.head().position
    with ledger.connection() as conn:
        rows = duplicate_ids(conn, None if whole else (start, last))
    bad = 0
    for event_id, positions, ranks, compartments in rows:
        markings = [
            (r, frozenset((c or "").split())) for r, c in zip(ranks, compartments, strict=True)
        ]
        for k in range(1, len(positions)):
            covered = next(
                (
                    positions[j]
                    for j in range(k)
                    if markings[j][0] <= markings[k][0] and markings[j][1] <= markings[k][1]
                ),
                None,
            )
            if covered is not None and start <= positions[k] <= last:
                bad += 1
                findings.add(
                    "event_ids",
                    positions[k],
                    f"event id {event_id} was already recorded at position {covered}, "
                    "which this event's producer could see",
                )
    return CheckOutcome(
        "event_ids",
        "failed" if bad else "passed",
        "no event id is recorded twice where its producer could see the first",
    )


def _anchors(
    ledger: PostgresLedger,
    findings: Findings,
    wanted: Mapping[int, bytes],
    scanned: set[int],
    head: int,
) -> CheckOutcome:
    """Anchors met by the scan were compared there; the others against the stored hash
    (taken on trust outside the verified range)."""
    if not wanted:
        return CheckOutcome("anchor", "skipped", "no --expect-anchor given")
    for position, expected in sorted(wanted.items()):
        if position in scanned:
            continue
        if position > head:
            findings.add(
                "anchor",
                head + 1,
                f"the ledger ends at position {head}, before the anchor at {position}: "
                "events were removed",
            )
            continue
        with ledger.connection() as conn:
            stored = hash_at(conn, position)
        if stored != expected:
            findings.add(
                "anchor",
                position,
                f"hash {stored.hex() if stored else 'none'} differs from the anchor "
                f"{expected.hex()}: history up to this position was rewritten",
            )
    failed = findings.count("anchor") > 0
    shown = ", ".join(str(p) for p in sorted(wanted))
    return CheckOutcome(
        "anchor", "failed" if failed else "passed", f"hash at position {shown} as recorded"
    )


def _projections(
    ledger: PostgresLedger, findings: Findings, broken: frozenset[int]
) -> CheckOutcome:
    """Each projection against a fresh fold that leaves out the positions already found
    broken (and any other event that does not decode, itself a finding)."""
    try:
        compared = compare_with_fresh_fold(
            ledger, readable=lambda: DamageTolerantLedger(ledger, broken, findings)
        )
    except LedgerError as exc:
        findings.add("projections", None, f"the fresh replay could not be built: {explained(exc)}")
        return CheckOutcome("projections", "failed", "see findings")
    if not compared:
        return CheckOutcome("projections", "skipped", "no projections built yet")
    for c in compared:
        if not c.equal:
            findings.add(
                "projections",
                c.first_position,
                f"{c.name} (cursor {c.cursor}) differs from a fresh replay: {c.detail}",
            )
    failed = any(not c.equal for c in compared)
    return CheckOutcome(
        "projections",
        "failed" if failed else "passed",
        ", ".join(f"{c.name} at {c.cursor}" for c in compared) + " equal a fresh replay"
        if not failed
        else "see findings",
    )
