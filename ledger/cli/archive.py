"""``ledger archive``: store committed Kafka messages in the ledger, exactly once."""

import signal
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.render import counted
from ledger.cli.tables import print_table
from ledger.errors import LedgerError
from ledger.runtime import open_ledger

if TYPE_CHECKING:  # kafka-python is imported only when archiving
    from ledger.kafka.archiver import Archiver


def _partitions(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        chosen = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise LedgerError(f"--partitions {text!r}: give partition numbers like 0,2,4") from None
    if not chosen or chosen[0] < 0:
        raise LedgerError(f"--partitions {text!r}: give partition numbers like 0,2,4")
    return chosen


def archive(
    ctx: typer.Context,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep archiving until SIGTERM or Ctrl-C.")
    ] = False,
    partitions: Annotated[
        str | None,
        typer.Option(
            "--partitions",
            metavar="LIST",
            help="Only these partitions, e.g. 0,2,4 (run several archivers on disjoint sets).",
        ),
    ] = None,
    status: Annotated[
        bool,
        typer.Option(
            "--status",
            help="Show per partition the archived offset, the end offset and how many events are "
            "still to archive (transaction markers take offsets but are not counted); exit.",
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, metavar="N", help="Messages per transaction.")
    ] = 2000,
) -> None:
    """Archive the Kafka events topic into the PostgreSQL ledger.

    Without --follow: catch up to the end of the topic as it is now, then exit. With
    --follow: run until SIGTERM or SIGINT, finish the batch in hand, exit 0. Events and
    the new offsets are written in one transaction, so a crash loses and repeats
    nothing. Undecodable or invalid messages go to the ledger.rejected table with their
    bytes and reason; a re-sent event is stored once. If PostgreSQL goes away the
    archiver retries with backoff.
    """
    opts = options(ctx)
    settings, kafka = opts.settings(), opts.kafka_settings()
    settings = settings.model_copy(update={"application_name": "ledger-archiver"})
    stop = {"requested": False}

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop["requested"] = True

    with reporting_errors():
        if not kafka.enabled:
            raise LedgerError("set LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap) to archive")
        chosen = _partitions(partitions)
        with open_ledger(settings) as ledger:
            from ledger.kafka.archiver import Archiver

            archiver = Archiver(
                ledger,
                kafka,
                partitions=chosen,
                batch_size=batch_size,
                report=lambda message: err.print(f"warning: {message}"),
                limits=settings.limits,
            )
            if status:
                _show_status(archiver)
                return
            if follow:
                signal.signal(signal.SIGTERM, request_stop)
                signal.signal(signal.SIGINT, request_stop)
            stats = archiver.run(follow=follow, should_stop=lambda: stop["requested"])
    out.print(
        f"archived {counted(stats.messages, 'message')} from {kafka.topic} in "
        f"{stats.seconds:.1f}s: "
        f"{stats.appended} appended, {stats.duplicates} already in the ledger, "
        f"{stats.rejected} rejected"
    )
    if stats.rejected:
        err.print(
            "rejected messages are kept in ledger.rejected with their bytes and reason: "
            "`ledger rejected` lists them"
        )


def _show_status(archiver: "Archiver") -> None:
    table = Table(title=f"archiver status: {archiver.settings.topic}", pad_edge=False)
    for column in ("partition", "archived to", "end offset", "events to archive"):
        table.add_column(column, justify="right")
    for row in archiver.status():
        archived = "-" if row.archived_to is None else str(row.archived_to)
        table.add_row(str(row.partition), archived, str(row.end), str(row.lag))
    print_table(out, table)
