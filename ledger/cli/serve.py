"""``ledger serve``: the HTTP query API on uvicorn."""

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Annotated

import typer

from ledger.cli.context import Options, err, options, reporting_errors
from ledger.config import KafkaSettings, Settings
from ledger.domain.marking import OPERATOR
from ledger.runtime import Prepare, bootstrap, describe_target
from ledger.store.embedded import embedded_database
from ledger.web import keys

Host = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")]


FOLLOW_EVERY = 0.25
"""Seconds between a server's follower's looks at the ledger head (two indexed lookups)."""


WORKER_HEALTHCHECK = 30
"""Seconds a worker may take to answer uvicorn's ping. Its default, 5, is shorter than a
worker's start (imports, pool) on a busy two-core machine: uvicorn then kills it as hung
and starts another, which may fare no better."""


@dataclass(frozen=True)
class Serving:
    """What the server's workers are handed: settings naming a running database."""

    settings: Settings
    kafka: KafkaSettings
    active_keys: int
    target: str = ""
    """Where the ledger is, for people (the embedded home rather than its socket)."""


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
        yield Serving(resolved, opts.kafka_settings(), active, describe_target(settings))


def run_server(
    serving: Serving,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    auth: bool = True,
    follow: bool = True,
    follow_every: float = FOLLOW_EVERY,
) -> None:
    """Run uvicorn, and (``follow``) the projection follower beside its workers; each
    process is handed the settings (pickled), never edits to this process's
    environment."""
    import uvicorn  # the server's imports are paid only when serving
    from uvicorn.supervisors import Multiprocess

    from ledger.api.app import create_app

    factory = partial(create_app, serving.settings, serving.kafka, auth=auth)
    config = uvicorn.Config(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK,
    )
    verbose = log_level.lower() in ("info", "debug", "trace")
    follower = Follower(serving.settings, follow_every, verbose, serving.target) if follow else None
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            uvicorn.Server(config).run()
    finally:
        if follower is not None:
            follower.stop()


class Follower:
    """The projection follower of ``ledger project --follow``, in a process of its own
    beside the server's workers (so its folds never hold up a request), started again if
    it dies. Only folds: in Kafka mode the archivers (``ledger archive --follow``) bring
    the events in."""

    def __init__(self, settings: Settings, every: float, verbose: bool, target: str = "") -> None:
        mine = settings.model_copy(
            update={"clearance": OPERATOR, "application_name": "ledger-serve"}
        )
        self._args = (mine, every, verbose, os.getpid(), target)
        self._stopping = threading.Event()
        self.process = self._start()
        threading.Thread(target=self._watch, name="ledger-follower-watch", daemon=True).start()

    def _start(self) -> BaseProcess:
        context = multiprocessing.get_context("spawn")
        process = context.Process(target=_follower, args=self._args, name="ledger-follower")
        process.start()
        return process

    def _watch(self) -> None:
        """Start the follower again when it died (a stop it was asked for ends it with
        exit code 0: Ctrl-C reaches it as well as the server)."""
        while not self._stopping.wait(WATCH_EVERY):
            process = self.process
            if process.is_alive() or process.exitcode == 0 or self._stopping.is_set():
                continue
            err.print(f"follower: exited with code {process.exitcode}; starting it again")
            self.process = self._start()

    def stop(self) -> None:
        """Stop the follower: a run in hand is rolled back, which loses nothing (the next
        follower folds the same events again)."""
        self._stopping.set()
        process = self.process
        if process.is_alive():
            process.terminate()
        process.join(30)
        if process.is_alive():
            process.kill()
            process.join()


WATCH_EVERY = 2.0
"""Seconds between two looks at whether the follower process is still alive."""


def _follower(settings: Settings, every: float, verbose: bool, parent: int, target: str) -> None:
    from ledger.cli.project import follow

    def say(line: str) -> None:
        err.print(f"follower: {line}")

    follow(
        settings,
        KafkaSettings(bootstrap=None),
        every,
        say=say,
        each_run=verbose,
        parent=parent,
        target=target or None,
    )


class Stopped(Exception):
    """SIGTERM or SIGINT (Ctrl-C) reached ``ledger serve``: unwind, stopping what it started."""


def _stop(signum: int, frame: FrameType | None) -> None:
    """Raise ``Stopped`` once; later signals are ignored while the server winds down.

    uvicorn catches both signals while it serves, shuts down, then raises the signal
    again: with the default SIGTERM action the process died there, before the embedded
    PostgreSQL it had started was stopped."""
    for each in (signal.SIGTERM, signal.SIGINT):
        signal.signal(each, signal.SIG_IGN)
    raise Stopped(signal.Signals(signum).name)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into ``Stopped`` inside the block, so every context the
    server opened (the embedded PostgreSQL, the follower) is closed on the way out."""
    previous = {each: signal.signal(each, _stop) for each in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


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
    no_follow: Annotated[
        bool,
        typer.Option(
            "--no-follow",
            help="Do not fold the projections here: a separate `ledger project --follow` or "
            "Dagster deployment does (answers then lag until it runs; read_at.behind_by says "
            "by how much).",
        ),
    ] = False,
    follow_every: Annotated[
        float,
        typer.Option(
            "--follow-every",
            metavar="SECONDS",
            min=0.05,
            max=60,
            help="How often the follower looks at the ledger head.",
        ),
    ] = FOLLOW_EVERY,
) -> None:
    """Serve the HTTP query API and the workbench: posture, claims, sources, documents,
    events, appends.

    Callers send `Authorization: Bearer <key>` with a key from `ledger keys create`;
    analysts and auditors read, producers append, admins do both. OpenAPI is at
    /openapi.json and interactive docs at /docs. Appends go via Kafka when
    LEDGER_KAFKA_BOOTSTRAP is set, else straight into PostgreSQL. Stop with Ctrl-C.

    Every query runs as the least-privilege database login ledger_service (made by
    `ledger init`; LEDGER_SERVICE_DATABASE_URL names another). Behind a TLS proxy set
    LEDGER_PUBLIC_URL to its https address (Secure session cookies, forms from it only).

    The server keeps the projections at the ledger head by itself: a follower process
    (the one of `ledger project --follow`) folds new events as they arrive. One follower
    folds per database, however many workers and servers share it (the others stand by);
    --no-follow leaves the folding to a separate follower or Dagster. Every answer says
    how far it is behind (read_at.behind_by); a read with at_least=POSITION (the
    position of an append's receipt) waits for the fold to reach it, at most
    LEDGER_READ_WAIT seconds. SIGTERM stops it as Ctrl-C does, the embedded PostgreSQL
    (if it started one) with it.
    """
    auth = not insecure_no_auth
    try:
        with stopped_by_signals(), serving(options(ctx)) as ready:
            announce(host, port, auth, ready.active_keys)
            run_server(
                ready,
                host,
                port,
                workers,
                log_level,
                auth,
                follow=not no_follow,
                follow_every=follow_every,
            )
    except Stopped as stop:
        err.print(f"ledger: stopped ({stop})")
