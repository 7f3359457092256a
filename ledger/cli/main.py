"""Entry point of the ``ledger`` command: global options and the command list."""

import gc
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli import (
    append,
    archive,
    audit,
    checkpoint,
    demo,
    events,
    export,
    gazetteer,
    imports,
    init,
    kafka,
    keys,
    posture,
    producers,
    project,
    record,
    rejected,
    schemas,
    serve,
    template,
    watch,
    witness,
    witnesses,
)
from ledger.cli.anywhere import GlobalOptionsAnywhere
from ledger.cli.context import Options

app = typer.Typer(
    name="ledger",
    cls=GlobalOptionsAnywhere,
    help=(
        "An event-sourced intelligence ledger: record what sources say as immutable Avro "
        "events in an append-only, hash-chained PostgreSQL ledger, and read them back.\n\n"
        "With no LEDGER_DATABASE_URL the ledger runs its own embedded PostgreSQL under "
        "LEDGER_HOME (default ./.ledger). Exit codes: 0 ok, 1 input rejected or integrity "
        "problem, 2 could not run."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            envvar="LEDGER_HOME",
            help="Directory of the embedded PostgreSQL (used when no database URL is set).",
            show_default="./.ledger",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            envvar="LEDGER_DATABASE_URL",
            help="PostgreSQL URL of an existing server; unset runs the embedded one.",
        ),
    ] = None,
    kafka_bootstrap: Annotated[
        str | None,
        typer.Option(
            "--kafka-bootstrap",
            metavar="HOST:PORT",
            envvar="LEDGER_KAFKA_BOOTSTRAP",
            help="Kafka bootstrap servers; when set, appends go via Kafka.",
        ),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            metavar="NAME",
            envvar="LEDGER_KAFKA_TOPIC",
            help="Kafka topic of the events.",
            show_default="ledger.events",
        ),
    ] = None,
    clearance: Annotated[
        str | None,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            envvar="LEDGER_CLEARANCE",
            help="Answer reads as a reader with this clearance would (UNCLASSIFIED, "
            "RESTRICTED, CONFIDENTIAL, SECRET, TOP_SECRET; the variable also takes "
            "LEVEL:COMPARTMENT,...). Unset: the operator, who sees every event.",
        ),
    ] = None,
    compartment: Annotated[
        list[str] | None,
        typer.Option(
            "--compartment",
            metavar="NAME",
            help="A compartment the --clearance holds (repeat for more).",
        ),
    ] = None,
) -> None:
    if compartment and not clearance:
        raise typer.BadParameter(
            "give --clearance LEVEL with --compartment", param_hint="--compartment"
        )
    if clearance and compartment:
        clearance = f"{clearance.partition(':')[0]}:{','.join(compartment)}"
    ctx.obj = Options(
        home=home,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        topic=topic,
        clearance=clearance,
    )


app.command("init")(init.init)
app.command("append")(append.append)
app.command("record")(record.record)
app.command("template")(template.template)
app.command("events")(events.events)
app.command("archive")(archive.archive)
app.command("rejected")(rejected.rejected)
app.command("project")(project.project)
app.command("posture")(posture.posture)
app.command("history")(posture.history)
app.command("actors")(gazetteer.actors)
app.command("places")(gazetteer.places)
app.command("sources")(gazetteer.sources)
app.command("serve")(serve.serve)
app.command("checkpoint")(checkpoint.checkpoint)
app.command("witness")(witness.witness)
app.command("watch")(watch.watch)
app.add_typer(keys.app, name="keys")
app.add_typer(producers.app, name="producers")
app.add_typer(witnesses.app, name="witnesses")
app.add_typer(kafka.app, name="kafka")
app.add_typer(schemas.app, name="schemas")
app.add_typer(audit.app, name="audit")
app.add_typer(export.app, name="export")
app.add_typer(imports.app, name="import")
app.command("demo")(demo.demo)


def run() -> None:
    """Console-script entry point.

    A command is a short process that builds many long-lived objects (the imports,
    Dagster's definitions and instance) and little cyclic garbage. With the collector's
    default thresholds it walks those objects again and again (about 0.9 s of a 5 s
    `ledger project` on two cores) and once more at exit (1.2 s). So what is loaded by
    now is frozen out of collection, the young generation is collected every 50,000
    allocations instead of 700, and the exit skips the final walk.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        app()
    finally:
        gc.freeze()
