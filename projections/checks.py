"""Asset checks. The per-run ones cost what the run's increment costs: the chain from
the last verified position, each projection's last fold against a fresh fold of the
same events, and references that do not resolve. The whole-ledger comparisons (a full
verify, each projection against a from-scratch fold) are ``FULL_CHECKS``: their own job
(``ledger project --check``) and a nightly schedule, never part of every run."""

from typing import Any

from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, asset_check

from ledger.audit.increment_check import check_increment, verify_since_last
from ledger.audit.projection_check import compare_with_fresh_fold
from ledger.audit.report import VerifyReport
from ledger.audit.verify import verify
from projections.assets import claim_history, force_posture, ledger_events, sources
from projections.resources import LedgerResource


def _chain_result(report: VerifyReport) -> AssetCheckResult:
    first = report.first_finding()
    metadata: dict[str, Any] = {
        "events_checked": report.events,
        "head_anchor": report.anchor or "",
        "findings": report.findings.total,
    }
    if first is not None:
        metadata["first_bad_position"] = report.first_bad_position or 0
        metadata["reason"] = f"{first.check}: {first.problem}"
    return AssetCheckResult(passed=report.ok, metadata=metadata)


@asset_check(asset=ledger_events, blocking=True)
def hash_chain_intact(ledger: LedgerResource) -> AssetCheckResult:
    """The event checks of `ledger audit verify` (contiguity, hash chain, schema registry,
    decoding, columns) on the events since the last verified position, anchored there."""
    with ledger.open() as runtime:
        return _chain_result(verify_since_last(runtime.store))


def _increment_check(ledger: LedgerResource, name: str) -> AssetCheckResult:
    with ledger.open() as runtime:
        found = check_increment(runtime.store, name)
    metadata: dict[str, Any] = {
        "from_position": found.start,
        "cursor": found.cursor,
        "rows_compared": found.rows,
    }
    if not found.passed:
        metadata["first_bad_position"] = found.first_position or 0
        metadata["reason"] = found.problem
    return AssetCheckResult(passed=found.passed, metadata=metadata)


@asset_check(asset=sources)
def sources_increment_equals_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The rows the last fold wrote equal a fresh fold of the same events."""
    return _increment_check(ledger, "sources")


@asset_check(asset=claim_history)
def claim_history_increment_equals_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The rows the last fold wrote equal a fresh fold of the same events."""
    return _increment_check(ledger, "claim_history")


@asset_check(asset=force_posture)
def force_posture_increment_equals_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The reports the last fold wrote equal a fresh fold, and the current rows it
    touched equal the posture rules applied afresh at the cursor."""
    return _increment_check(ledger, "force_posture")


def _unresolved_result(found: list[tuple[int, str, str]]) -> AssetCheckResult:
    return AssetCheckResult(
        passed=not found,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "unresolved": len(found),
            "first": f"position {found[0][0]}: {found[0][1]} names {found[0][2]}" if found else "",
        },
    )


@asset_check(asset=claim_history)
def no_unresolved_references(ledger: LedgerResource) -> AssetCheckResult:
    """Events of the last increment naming a claim the ledger does not hold (possible on
    the Kafka path)."""
    with ledger.open() as runtime:
        reads = runtime.reads
        after = reads.last_increment_start(("claim_history",))
        return _unresolved_result(reads.unresolved(reads.position(("claim_history",)), after))


@asset_check(asset=claim_history)
def no_unresolved_references_at_all(ledger: LedgerResource) -> AssetCheckResult:
    """Every event naming a claim the ledger does not hold (the full job only)."""
    with ledger.open() as runtime:
        at = runtime.reads.position(("claim_history",))
        return _unresolved_result(runtime.reads.unresolved(at))


@asset_check(asset=ledger_events)
def whole_chain_intact(ledger: LedgerResource) -> AssetCheckResult:
    """`ledger audit verify` over the whole ledger (the full job only)."""
    with ledger.open() as runtime:
        return _chain_result(verify(runtime.store, projections=False))


def _digest_check(ledger: LedgerResource, name: str) -> AssetCheckResult:
    """`ledger audit verify`'s projection check for one projection."""
    with ledger.open() as runtime:
        (found,) = compare_with_fresh_fold(runtime.store, [name])
    metadata: dict[str, Any] = {
        "cursor": found.cursor,
        "incremental_digest": found.live_digest,
        "from_scratch_digest": found.fresh_digest,
    }
    if not found.equal:
        metadata["first_bad_position"] = found.first_position or 0
        metadata["reason"] = found.detail
    return AssetCheckResult(passed=found.equal, metadata=metadata)


@asset_check(asset=sources)
def sources_equal_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The incrementally built rows equal a from-scratch fold to the same cursor."""
    return _digest_check(ledger, "sources")


@asset_check(asset=claim_history)
def claim_history_equal_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The incrementally built rows equal a from-scratch fold to the same cursor."""
    return _digest_check(ledger, "claim_history")


@asset_check(asset=force_posture)
def force_posture_equal_fresh_fold(ledger: LedgerResource) -> AssetCheckResult:
    """The incrementally built rows, and the read service's answers from them, equal a
    from-scratch fold to the same cursor."""
    return _digest_check(ledger, "force_posture")


RUN_CHECKS: list[AssetChecksDefinition] = [
    hash_chain_intact,
    sources_increment_equals_fresh_fold,
    claim_history_increment_equals_fresh_fold,
    force_posture_increment_equals_fresh_fold,
    no_unresolved_references,
]
"""Checked on every run, at the cost of the run's increment."""

FULL_CHECKS: list[AssetChecksDefinition] = [
    whole_chain_intact,
    sources_equal_fresh_fold,
    claim_history_equal_fresh_fold,
    force_posture_equal_fresh_fold,
    no_unresolved_references_at_all,
]
"""The whole-ledger comparisons: ``ledger project --check`` and the nightly schedule."""

ALL_CHECKS = [*RUN_CHECKS, *FULL_CHECKS]
