"""``ledger serve``: the HTTP query API on uvicorn."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Annotated

import typer

from ledger.api import keys
from ledger.cli.context import Options, err, options, reporting_errors
from ledger.config import KafkaSettings, Settings
from ledger.runtime import Prepare, bootstrap, describe_target
from ledger.store.embedded import embedded_database

Host = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")]


@dataclass(frozen=True)
class Serving:
    """What the server's workers are handed: settings naming a running database."""

    settings: Settings
    kafka: KafkaSettings
    active_keys: int


@contextmanager
def serving(opts: Options) -> Iterator[Serving]:
    """Ready the database and settle the settings the workers get (the embedded server,
    if used, is started here and stays up while the workers run)."""
    settings = opts.settings()
    with reporting_errors(), ExitStack() as stack:
        if settings.embedded:
            url = stack.enter_context(embedded_database(settings.home))
        else:
            assert settings.database_url is not None
            url = settings.database_url
        resolved = settings.model_copy(update={"database_url": url})
        prepare: Prepare = "init" if settings.embedded else "check"
        with (
            bootstrap(resolved, prepare=prepare, as_service=True) as runtime,
            runtime.store.connection() as conn,
        ):  # the workers' login checked here, before any of them starts
            active = len(keys.listing(conn, include_revoked=False))
        err.print(f"ledger: {describe_target(settings)}")
        yield Serving(resolved, opts.kafka_settings(), active)


def run_server(
    serving: Serving, host: str, port: int, workers: int, log_level: str, auth: bool = True
) -> None:
    """Run uvicorn; each worker builds the app from the settings it is handed (pickled
    to the worker processes), never from edits to this process's environment."""
    import uvicorn  # the server's imports are paid only when serving
    from uvicorn.supervisors import Multiprocess

    from ledger.api.app import create_app

    factory = partial(create_app, serving.settings, serving.kafka, auth=auth)
    config = uvicorn.Config(
        factory, factory=True, host=host, port=port, workers=workers, log_level=log_level
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def announce(host: str, port: int, auth: bool, active_keys: int) -> None:
    base = f"http://{host}:{port}"
    err.print(f"ledger API at {base}  (docs {base}/docs, OpenAPI {base}/openapi.json)")
    err.print(f"workbench at {base}/workbench/ (sign in with an analyst or auditor key)")
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

    Every query runs as the least-privilege database login ledger_service (made by
    `ledger init`; LEDGER_SERVICE_DATABASE_URL names another). Behind a TLS proxy set
    LEDGER_PUBLIC_URL to its https address (Secure session cookies, forms from it only).
    """
    auth = not insecure_no_auth
    with serving(options(ctx)) as ready:
        announce(host, port, auth, ready.active_keys)
        run_server(ready, host, port, workers, log_level, auth)
