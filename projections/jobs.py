"""The two jobs and the schedule: ``project`` folds every projection with the per-run
checks; ``full_check`` runs the whole-ledger comparisons, nightly."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

from projections.checks import FULL_CHECKS

RUN = AssetSelection.all() - AssetSelection.checks(*FULL_CHECKS)
"""Every asset with its per-run checks (the full checks left out)."""
FULL = AssetSelection.checks(*FULL_CHECKS)

project_job = define_asset_job("project", selection=RUN)
full_check_job = define_asset_job("full_check", selection=FULL)
nightly_full_check = ScheduleDefinition(job=full_check_job, cron_schedule="0 3 * * *")
