"""Asset checks: the chain is intact, projections equal a fresh fold, references resolve."""

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check

from ledger.chain import first_broken
from ledger.projection import queries
from ledger.projection.fold import digest as live_digest
from ledger.projection.fold import scratch_digests
from projections.assets import claim_history, force_posture, ledger_events, sources
from projections.resources import LedgerResource


@asset_check(asset=ledger_events, blocking=True)
def hash_chain_intact(ledger: LedgerResource) -> AssetCheckResult:
    """Positions are contiguous and every hash matches its event (streamed)."""
    with ledger.open() as opened:
        broken = first_broken(opened.read())
        head = opened.head().position
    if broken is None:
        return AssetCheckResult(passed=True, metadata={"events_checked": head})
    position, reason = broken
    return AssetCheckResult(
        passed=False, metadata={"first_bad_position": position, "reason": reason}
    )


def _digest_check(ledger: LedgerResource, name: str) -> AssetCheckResult:
    with ledger.open() as opened:
        with opened.connection() as conn:
            cursor = queries.cursor(conn, name)
            live = live_digest(conn, name)
        fresh = scratch_digests(opened, upto=cursor)[name]
    return AssetCheckResult(
        passed=live == fresh,
        metadata={"cursor": cursor, "incremental_digest": live, "from_scratch_digest": fresh},
    )


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
    with ledger.open() as opened, opened.connection() as conn:
        found = queries.unresolved_references(conn, queries.cursor(conn, "claim_history"))
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
