"""A cheap sensor: request a run when the ledger head passes the projections' cursor."""

from dagster import (
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from projections.jobs import project_job
from projections.resources import LedgerResource


def lag(ledger: LedgerResource) -> tuple[int, int]:
    """(ledger head, lowest projection cursor): two indexed lookups."""
    with ledger.open(prepare="check") as runtime:
        return runtime.lag()


@sensor(job=project_job, minimum_interval_seconds=30)
def ledger_head_sensor(
    context: SensorEvaluationContext, ledger: LedgerResource
) -> SensorResult | SkipReason:
    """One run per new head position (the run key), so a busy ledger is never skipped."""
    head, cursor = lag(ledger)
    if head <= cursor:
        return SkipReason(f"projections are at the ledger head ({head})")
    return SensorResult(run_requests=[RunRequest(run_key=f"ledger-head-{head}")])
