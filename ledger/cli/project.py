"""``ledger project``: materialize the Dagster projection assets in this process."""

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from ledger.cli.context import EXIT_INVALID, err, options, out, reporting_errors
from ledger.errors import LedgerError


def run_projections(opts: Any, rebuild: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """Materialize every asset (and its checks) in process; returns metadata per asset."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", module="dagster")
    logging.getLogger("dagster").setLevel(logging.WARNING)
    from dagster import DagsterInstance, materialize

    from projections.assets import ALL_ASSETS
    from projections.checks import ALL_CHECKS
    from projections.resources import KafkaResource, LedgerResource

    settings, kafka = opts.settings(), opts.kafka_settings()
    resources = {
        "ledger": LedgerResource(database_url=settings.database_url, home=str(settings.home)),
        "kafka": KafkaResource(bootstrap=kafka.bootstrap, topic=kafka.topic),
    }
    config = {"rebuild": rebuild}
    run_config = {
        "ops": {name: {"config": config} for name in ("sources", "claim_history", "force_posture")},
        "loggers": {"console": {"config": {"log_level": "ERROR"}}},
    }
    os.environ.setdefault("DAGSTER_HOME", str(settings.home.expanduser().resolve() / "dagster"))
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
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
    return rows


def project(
    ctx: typer.Context,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Fold everything into a shadow schema, then swap it in."),
    ] = False,
) -> None:
    """Bring the projections up to the ledger head (Dagster assets, run in process).

    Folds only the events after each projection's cursor, writing rows and cursor in one
    transaction; with Kafka configured it first runs the archiver's catch-up. Asset
    checks then verify the hash chain and that each projection equals a fresh fold.
    """
    with reporting_errors():
        rows = run_projections(options(ctx), rebuild)
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
    out.print(table)
