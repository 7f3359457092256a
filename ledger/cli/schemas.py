"""``ledger schemas``: list the registered Avro schemas and check their compatibility."""

import typer
from rich.table import Table
from rich.text import Text

from ledger.cli.context import EXIT_INVALID, err, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.codec.compatibility import check_backward_transitive
from ledger.codec.conformance import conformance_problems
from ledger.codec.schema_registry import SchemaRegistry

app = typer.Typer(
    help="The Avro schemas of the events: list them, check their compatibility.",
    no_args_is_help=True,
)


@app.command("list")
def list_schemas() -> None:
    """Every version of every event schema, with its CRC-64-AVRO fingerprint."""
    with reporting_errors():
        registry = SchemaRegistry.from_directory()
    table = Table(pad_edge=False)
    table.add_column("event type")
    table.add_column("version", justify="right")
    table.add_column("fingerprint")
    table.add_column("reader", justify="center")
    for event_type in registry.event_types():
        latest = registry.latest(event_type)
        for version in registry.versions(event_type):
            table.add_row(
                event_type,
                str(version.version),
                version.fingerprint_hex,
                "newest" if version is latest else "",
            )
    print_table(out, table)


@app.command("check")
def check() -> None:
    """Check every schema: BACKWARD_TRANSITIVE compatibility and agreement with the models.

    Each version of a type must read data written with every earlier version (checked
    with the Apache avro package), and the newest version must match its pydantic model
    field by field. Exit 0 when all hold, 1 otherwise.
    """
    with reporting_errors():
        registry = SchemaRegistry.from_directory()
    problems = [str(p) for p in check_backward_transitive(registry)]
    problems += conformance_problems(registry)
    types = registry.event_types()
    versions = len(registry.all_versions())
    if problems:
        for problem in problems:
            err.print(Text("x ", style="red") + problem)
        err.print(f"{len(problems)} problem(s) in {versions} schema versions")
        raise typer.Exit(EXIT_INVALID)
    out.print(
        f"ok: {versions} versions of {len(types)} event types are BACKWARD_TRANSITIVE "
        "compatible and agree with their models"
    )
