"""``ledger events``: read the ledger back, decoded, as a table or JSON lines."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.render import json_line, summary
from ledger.cli.tables import print_table
from ledger.domain.type_names import canonical_type, type_hint
from ledger.errors import ValidationFailed
from ledger.runtime import open_ledger


def events(
    ctx: typer.Context,
    start: Annotated[
        int,
        typer.Option(
            "--from", min=1, metavar="POSITION", help="First position to show (inclusive)."
        ),
    ] = 1,
    end: Annotated[
        int | None,
        typer.Option("--to", min=1, metavar="POSITION", help="Last position to show (inclusive)."),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", metavar="TYPE", help="Only this event type; repeat for several."),
    ] = None,
    stream: Annotated[
        str | None,
        typer.Option("--stream", metavar="STREAM", help="Only this stream, e.g. claim:seed-05."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, metavar="N", help="Show at most this many events; 0 = all."),
    ] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, with the full event.")
    ] = False,
) -> None:
    """Show events in position order, decoded from their Avro bytes.

    The table gives position, record time, type, stream and a one-line summary; --json
    gives each event whole with its position, stream, record time and chain hash.
    """
    settings = options(ctx).settings()
    with reporting_errors():
        unknown = [t for t in types or [] if canonical_type(t) is None]
        if unknown:
            raise ValidationFailed(
                [f"--type {t!r} is not an event type{type_hint(t)}" for t in unknown]
            )
        types = [canonical_type(t) or t for t in types] if types else types
        clearance = settings.clearance
        with open_ledger(settings) as ledger:
            rows = ledger.read(
                after=start - 1,
                until=end,
                types=types,
                stream=stream,
                limit=limit or None,
                clearance=clearance,
            )
            if as_json:
                for recorded in rows:
                    sys.stdout.write(json_line(recorded) + "\n")
                return
            table = Table(show_lines=False, pad_edge=False)
            table.add_column("pos", justify="right")
            table.add_column("recorded at (UTC)", no_wrap=True)
            table.add_column("type", no_wrap=True)
            table.add_column("stream", no_wrap=True)
            table.add_column("summary")
            count = 0
            for recorded in rows:
                count += 1
                table.add_row(
                    str(recorded.position),
                    recorded.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                    recorded.event_type,
                    recorded.stream_id,
                    summary(recorded.event),
                )
    if count == 0:
        err.print("no events match")
        return
    print_table(out, table)
    if limit and count == limit:
        err.print(f"showing {count} events; use --limit 0 for all, or --from to page")
