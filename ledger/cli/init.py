"""``ledger init``: create or upgrade the ledger's tables; safe to run again."""

import typer

from ledger.cli.context import options, out, reporting_errors
from ledger.runtime import describe_target, open_ledger


def init(ctx: typer.Context) -> None:
    """Create or upgrade the ledger's tables and register every event schema.

    Idempotent: running it again applies only what is missing. With no
    LEDGER_DATABASE_URL it also starts the embedded PostgreSQL under LEDGER_HOME.
    """
    settings = options(ctx).settings()
    with reporting_errors(), open_ledger(settings, prepare="none") as ledger:
        applied = ledger.init()
        head = ledger.head()
        versions = len(ledger.codec.registry.all_versions())
    out.print(f"ledger ready: {describe_target(settings)}")
    if applied:
        out.print(f"applied migrations: {', '.join(applied)}")
    else:
        out.print("already up to date: no migration applied")
    out.print(f"{versions} schema versions registered; head at position {head.position}")
