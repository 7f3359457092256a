"""The code location: ``dagster dev -m projections.definitions`` shows the asset graph."""

from dagster import Definitions

from projections.assets import ALL_ASSETS
from projections.checks import ALL_CHECKS
from projections.resources import from_environment
from projections.sensors import ledger_head_sensor

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    sensors=[ledger_head_sensor],
    resources=from_environment(),
)
