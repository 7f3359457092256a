"""Asset checks: the chain is intact, projections equal a fresh fold, references resolve."""

from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check

from ledger.audit.projection_check import compare_with_fresh_fold
from ledger.audit.verify import verify
from projections.assets import claim_history, force_posture, ledger_events, sources
from projections.resources import LedgerResource


@asset_check(asset=ledger_events, blocking=True)
def hash_chain_intact(ledger: LedgerResource) -> AssetCheckResult:
    """The event checks of `ledger audit verify` (contiguity, hash chain, schema registry,
    decoding, columns, unique ids), streamed; projections have their own checks."""
    with ledger.open() as runtime:
        report = verify(runtime.store, projections=False)
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
    """The incrementally built rows equal a from-scratch fold to the same cursor."""
    return _digest_check(ledger, "force_posture")


@asset_check(asset=claim_history)
def no_unresolved_references(ledger: LedgerResource) -> AssetCheckResult:
    """Events naming a claim the ledger does not hold (possible on the Kafka path)."""
    with ledger.open() as runtime:
        found = runtime.reads.unresolved(runtime.reads.position(("claim_history",)))
    return AssetCheckResult(
        passed=not found,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "unresolved": len(found),
            "first": f"position {found[0][0]}: {found[0][1]} names {found[0][2]}" if found else "",
        },
    )


ALL_CHECKS = [
    hash_chain_intact,
    sources_equal_fresh_fold,
    claim_history_equal_fresh_fold,
    force_posture_equal_fresh_fold,
    no_unresolved_references,
]
