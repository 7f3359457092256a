"""``ledger kafka``: set up the Kafka topic that carries the events."""

from typing import Annotated

import typer

from ledger.cli.context import options, out, reporting_errors
from ledger.errors import LedgerError

app = typer.Typer(help="Kafka transport: create the events topic.", no_args_is_help=True)


@app.command("init")
def init(
    ctx: typer.Context,
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions", min=1, metavar="N", help="Partitions of a new topic.", show_default="6"
        ),
    ] = None,
) -> None:
    """Create the events topic with unlimited retention; safe to run again.

    Needs LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap). Security settings come from
    LEDGER_KAFKA_SECURITY_PROTOCOL, _SASL_MECHANISM, _SASL_USERNAME, _SASL_PASSWORD and
    _SSL_CAFILE/_SSL_CERTFILE/_SSL_KEYFILE.
    """
    settings = options(ctx).kafka_settings()
    with reporting_errors():
        if not settings.enabled:
            raise LedgerError("set LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap) to use Kafka")
        from ledger.kafka.topic import ensure_topic

        info = ensure_topic(settings, partitions)
    verb = "created" if info.created else "already exists:"
    out.print(f"topic {info.name} {verb} {info.partitions} partitions, retention unlimited")
    if not info.created and partitions is not None and partitions != info.partitions:
        out.print(f"note: --partitions {partitions} ignored; an existing topic is never changed")
