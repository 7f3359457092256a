"""The code location: ``dagster dev -m projections.definitions`` shows the asset graph.

Two jobs (``projections.jobs``): ``project`` folds the ledger into every projection with
the per-run checks (the sensor requests it when the ledger head moves past the cursors),
and ``full_check`` runs the whole-ledger comparisons, nightly by schedule or as
``ledger project --check``.
"""

from dagster import Definitions

from projections.assets import ALL_ASSETS
from projections.checks import ALL_CHECKS
from projections.jobs import full_check_job, nightly_full_check, project_job
from projections.resources import from_environment
from projections.sensors import ledger_head_sensor

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[project_job, full_check_job],
    sensors=[ledger_head_sensor],
    schedules=[nightly_full_check],
    resources=from_environment(),
)
