"""``ledger project``: materialize the Dagster projection assets in this process."""

from typing import Annotated, Any

import typer
from rich.table import Table

from ledger.cli.context import EXIT_INVALID, err, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.errors import LedgerError


def run_projections(
    opts: Any, rebuild: bool = False, full_check: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """Materialize every asset with the per-run checks in process, or (``full_check``)
    run only the whole-ledger checks; returns metadata per asset."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", module="dagster")
    logging.getLogger("dagster").setLevel(logging.WARNING)
    from dagster import DagsterInstance, materialize

    from projections.assets import ALL_ASSETS
    from projections.checks import ALL_CHECKS
    from projections.jobs import FULL, RUN
    from projections.resources import from_settings

    settings = opts.settings()
    resources = from_settings(settings, opts.kafka_settings())
    run_config: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    if not full_check:
        folds = ("sources", "claim_history", "force_posture")
        run_config["ops"] = {name: {"config": {"rebuild": rebuild}} for name in folds}
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=FULL if full_check else RUN,
        resources=resources,
        run_config=run_config,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    if not result.success:
        failure = next(
            (e.event_specific_data for e in result.all_events if e.is_step_failure), None
        )
        detail = getattr(getattr(failure, "error", None), "message", "see the Dagster log")
        raise LedgerError(f"projection run failed: {str(detail).strip().splitlines()[-1]}")
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for check in failed:
        err.print(
            f"check {check.check_name} on {check.asset_key.to_user_string()} failed: "
            f"{ {k: v.value for k, v in check.metadata.items()} }"
        )
    rows = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        rows.append(
            (
                materialization.asset_key.to_user_string(),
                {k: v.value for k, v in materialization.metadata.items()},
            )
        )
    if any(c.severity.value == "ERROR" for c in failed):
        raise typer.Exit(EXIT_INVALID)
    if full_check:
        return [(e.check_name, {"passed": e.passed}) for e in result.get_asset_check_evaluations()]
    return rows


def project(
    ctx: typer.Context,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Fold everything into a shadow schema, then swap it in."),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Fold nothing; run the whole-ledger checks (full verify, each projection "
            "against a from-scratch fold). Exit 1 if one fails.",
        ),
    ] = False,
) -> None:
    """Bring the projections up to the ledger head (Dagster assets, run in process).

    Folds only the events after each projection's cursor, writing rows and cursor in one
    transaction; with Kafka configured it first runs the archiver's catch-up. The
    per-run checks then verify the hash chain since the last verified position and that
    each fold's increment equals a fresh fold of it. --check runs the whole-ledger
    comparisons instead (as the nightly Dagster schedule does).
    """
    with reporting_errors():
        if rebuild and check:
            raise LedgerError("--rebuild and --check are separate runs: give one of them")
        rows = run_projections(options(ctx), rebuild, full_check=check)
    if check:
        checks = Table(title="whole-ledger checks", pad_edge=False)
        checks.add_column("check")
        checks.add_column("result")
        for name, meta in rows:
            checks.add_row(name, "passed" if meta["passed"] else "FAILED")
        out.print(checks)
        return
    table = Table(title="projections" + (" (rebuilt)" if rebuild else ""), pad_edge=False)
    for column in ("asset", "folded", "cursor", "digest"):
        table.add_column(column, justify="right" if column in ("folded", "cursor") else "left")
    for name, meta in rows:
        table.add_row(
            name,
            str(meta.get("events_folded", "-")),
            str(meta.get("cursor", meta.get("head_position", "-"))),
            str(meta.get("digest", meta.get("head_hash", "")))[:16],
        )
    print_table(out, table)
