"""``ledger serve``: the HTTP query API on uvicorn."""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Annotated

import typer
import uvicorn

from ledger.api import keys
from ledger.api.app import NO_AUTH_VARIABLE
from ledger.cli.context import Options, err, options, reporting_errors
from ledger.runtime import Prepare, describe_target, open_ledger
from ledger.store.embedded import embedded_database

Host = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")]


@contextmanager
def serving_environment(opts: Options, auth: bool) -> Iterator[int]:
    """Ready the database and pass the configuration on to the server's workers through
    ``LEDGER_*`` variables; yields how many active API keys exist. The embedded server,
    if used, is started here and stays up while the workers run."""
    settings = opts.settings()
    kafka = opts.kafka_settings()
    with reporting_errors(), ExitStack() as stack:
        if settings.embedded:
            url = stack.enter_context(embedded_database(settings.home))
        else:
            assert settings.database_url is not None
            url = settings.database_url
        prepare: Prepare = "init" if settings.embedded else "check"
        with open_ledger(
            settings.model_copy(update={"database_url": url}), prepare=prepare
        ) as ledger:
            with ledger.connection() as conn:
                active = len(keys.listing(conn, include_revoked=False))
        os.environ["LEDGER_DATABASE_URL"] = url
        if kafka.enabled:
            os.environ["LEDGER_KAFKA_BOOTSTRAP"] = kafka.bootstrap or ""
            os.environ["LEDGER_KAFKA_TOPIC"] = kafka.topic
        if auth:
            os.environ.pop(NO_AUTH_VARIABLE, None)
        else:
            os.environ[NO_AUTH_VARIABLE] = "1"
        err.print(f"ledger: {describe_target(settings)}")
        yield active


def run_server(host: str, port: int, workers: int, log_level: str) -> None:
    uvicorn.run(
        "ledger.api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


def announce(host: str, port: int, auth: bool, active_keys: int) -> None:
    base = f"http://{host}:{port}"
    err.print(f"ledger API at {base}  (docs {base}/docs, OpenAPI {base}/openapi.json)")
    if not auth:
        err.print(
            "WARNING: --insecure-no-auth: every caller may read and append, no key asked. "
            "For local trials only."
        )
    elif active_keys == 0:
        err.print(
            "no API keys yet: every call but /health will get 401. Make one with "
            "`ledger keys create --role analyst --name <who>`"
        )


def serve(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Server processes (about one per core).")
    ] = 1,
    insecure_no_auth: Annotated[
        bool,
        typer.Option(
            "--insecure-no-auth",
            help="Admit every call without a key. Local trials only; never the default.",
        ),
    ] = False,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn log level: warning, info, debug.")
    ] = "info",
) -> None:
    """Serve the HTTP query API: posture, claims, sources, documents, events, appends.

    Callers send `Authorization: Bearer <key>` with a key from `ledger keys create`;
    analysts and auditors read, producers append, admins do both. OpenAPI is at
    /openapi.json and interactive docs at /docs. Appends go via Kafka when
    LEDGER_KAFKA_BOOTSTRAP is set, else straight into PostgreSQL. Stop with Ctrl-C.
    """
    auth = not insecure_no_auth
    with serving_environment(options(ctx), auth) as active:
        announce(host, port, auth, active)
        run_server(host, port, workers, log_level)
