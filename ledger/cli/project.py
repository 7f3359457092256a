"""``ledger project``: materialize the Dagster projection assets in this process."""

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ledger.cli.context import EXIT_INVALID, err, error_line, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.config import KafkaSettings, Settings
from ledger.errors import LedgerError, explained

if TYPE_CHECKING:
    from ledger.runtime import Runtime


def run_projections(
    settings: Settings,
    kafka: KafkaSettings,
    rebuild: bool = False,
    full_check: bool = False,
) -> list[tuple[str, dict[str, Any]]]:
    """Materialize every asset with the per-run checks in process, or (``full_check``)
    run only the whole-ledger checks; returns metadata per asset."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", module="dagster")
    logging.getLogger("dagster").setLevel(logging.WARNING)
    from dagster import DagsterInstance, materialize

    from projections.assets import ALL_ASSETS
    from projections.checks import ALL_CHECKS
    from projections.jobs import FULL, RUN
    from projections.resources import from_settings

    resources = from_settings(settings, kafka)
    run_config: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    if not full_check:
        folds = ("sources", "claim_history", "force_posture")
        run_config["ops"] = {name: {"config": {"rebuild": rebuild}} for name in folds}
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=FULL if full_check else RUN,
        resources=resources,
        run_config=run_config,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    if not result.success:
        failure = next(
            (e.event_specific_data for e in result.all_events if e.is_step_failure), None
        )
        detail = getattr(getattr(failure, "error", None), "message", "see the Dagster log")
        raise LedgerError(f"projection run failed: {str(detail).strip().splitlines()[-1]}")
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for check in failed:
        err.print(
            f"check {check.check_name} on {check.asset_key.to_user_string()} failed: "
            f"{ {k: v.value for k, v in check.metadata.items()} }"
        )
    rows = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        rows.append(
            (
                materialization.asset_key.to_user_string(),
                {k: v.value for k, v in materialization.metadata.items()},
            )
        )
    if any(c.severity.value == "ERROR" for c in failed):
        raise typer.Exit(EXIT_INVALID)
    if full_check:
        return [(e.check_name, {"passed": e.passed}) for e in result.get_asset_check_evaluations()]
    return rows


Say = Callable[[str], None]
"""Where a follower's lines go (stdout for ``ledger project``, stderr in a server)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run_off_the_main_thread(settings: Settings, kafka: KafkaSettings, say: Say) -> bool:
    """``run_projections`` in a thread of its own; True if a stop was asked for meanwhile.

    Run from the main thread, Dagster takes SIGINT and SIGTERM over for the run and
    turns them into a failed run, which a follower would report and go on from; from
    another thread it leaves them alone, so a stop asked for during a run ends the
    follower once that run is done (a second one ends it at once: the run's transaction
    is rolled back)."""
    failure: list[BaseException] = []
    done = threading.Event()
    stop = False

    def target() -> None:
        try:
            run_projections(settings, kafka)
        except BaseException as exc:  # handed to the main thread below
            failure.append(exc)
        finally:
            done.set()

    # an Event, not Thread.join: on Python 3.11 a join interrupted by a signal can leave
    # the thread marked finished while it still runs (and the follower would exit mid-run)
    threading.Thread(target=target, name="ledger-project-run", daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        say("stopping once this run is done")
        done.wait()
        stop = True
    if failure:
        raise failure[0]
    return stop


STANDBY_EVERY = 2.0
"""Seconds between a standby follower's looks at whether the active one is gone."""


def follow(
    settings: Settings,
    kafka: KafkaSettings,
    every: float,
    *,
    say: Say | None = None,
    each_run: bool = True,
    parent: int | None = None,
    target: str | None = None,
) -> int:
    """Run ``run_projections`` whenever the ledger head is past a projection's cursor
    (in Kafka mode, every ``every`` seconds: new events are in the topic, not yet in the
    ledger), until interrupted; the exit code: 1 if a run failed, else 0.

    One follower folds per database: each takes the follower lock
    (``ledger.store.election``) first, and one that finds it held stands by, taking
    over when the holder stops. ``each_run=False`` leaves out the line per run; with
    ``parent``, it stops when that process is gone (a server's follower outlives no
    server); ``target`` says where the ledger is, as the server said it. The imports,
    Dagster's and the ledger's, are paid once: a run then costs its folds, its checks
    and Dagster's orchestration of them. Each run gets a new ephemeral instance, so
    memory stays flat however long it follows."""
    import psycopg

    from ledger.runtime import bootstrap, describe_target
    from ledger.store.election import Election

    def _say(line: str) -> None:
        out.print(line)

    def _complain(line: str) -> None:
        err.print(error_line(line))

    tell = say or _say
    complain = say or _complain
    # a service manager's stop ends it as Ctrl-C does (a shell starts a background job
    # with SIGINT ignored: both are set here)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _stop)
    failed = False
    with bootstrap(settings) as runtime:
        election = Election(runtime.store.conninfo, name=f"{settings.application_name}-follower")
        tell(
            f"following {target or describe_target(settings)}: folding whenever new events "
            "arrive, "
            f"looking every {every:g} s (Ctrl-C stops)"
        )
        standing_by = False
        built = False  # a first run builds projections an empty ledger has not got yet
        try:
            while parent is None or os.getppid() == parent:
                try:
                    if not election.holds():
                        if not standing_by:
                            tell(
                                "another follower folds this database's projections: "
                                "standing by to take over when it stops"
                            )
                            standing_by = True
                        time.sleep(max(every, STANDBY_EVERY))
                        continue
                    if standing_by:
                        tell("the other follower stopped: folding from here on")
                        standing_by = False
                    if _follow_once(runtime, settings, kafka, tell, each_run, built):
                        raise KeyboardInterrupt
                    built = True
                except (LedgerError, psycopg.Error) as exc:  # the server may come back
                    failed = True
                    complain(f"{explained(exc).strip()} (still following)")
                except typer.Exit:  # a check failed: run_projections has said which
                    failed = True
                time.sleep(every)
        except KeyboardInterrupt:
            tell("stopped")
        finally:
            election.close()
    return EXIT_INVALID if failed else 0


def _follow_once(
    runtime: "Runtime",
    settings: Settings,
    kafka: KafkaSettings,
    tell: Say,
    each_run: bool,
    built: bool,
) -> bool:
    """One look at the head, and a run if it moved (always, in Kafka mode, and once at
    first when the projections were never built); True when a stop was asked for during
    the run."""
    head, cursor = runtime.lag()
    if head <= cursor and not kafka.enabled and (built or runtime.reads.cursors()):
        return False
    started = time.perf_counter()
    stop = _run_off_the_main_thread(settings, kafka, tell)
    _, after = runtime.lag()
    if each_run and (after > cursor or not kafka.enabled):
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        tell(
            f"{now} projections at {after:,} (+{after - cursor:,} "
            f"event{'' if after - cursor == 1 else 's'})"
            f" in {time.perf_counter() - started:.2f} s"
        )
    return stop


def project(
    ctx: typer.Context,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Fold everything into a shadow schema, then swap it in."),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Fold nothing; run the whole-ledger checks (full verify, each projection "
            "against a from-scratch fold). Exit 1 if one fails.",
        ),
    ] = False,
    keep_following: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="Stay up and fold whenever new events arrive, until Ctrl-C or SIGTERM: "
            "the imports and Dagster's start are paid once, not on every run.",
        ),
    ] = False,
    every: Annotated[
        float,
        typer.Option(
            "--every",
            metavar="SECONDS",
            min=0.01,
            max=3600,
            help="With --follow: how often to look at the ledger head.",
        ),
    ] = 1.0,
) -> None:
    """Bring the projections up to the ledger head (Dagster assets, run in process).

    Folds only the events after each projection's cursor, writing rows and cursor in one
    transaction; with Kafka configured it first runs the archiver's catch-up. The
    per-run checks then verify the hash chain since the last verified position and that
    each fold's increment equals a fresh fold of it. --check runs the whole-ledger
    comparisons instead (as the nightly Dagster schedule does). --follow stays up and
    runs again whenever new events arrive, printing one line per run; stopped, it exits
    1 if a run failed, else 0.
    """
    with reporting_errors():
        if rebuild and check:
            raise LedgerError("--rebuild and --check are separate runs: give one of them")
        if keep_following and (rebuild or check):
            raise LedgerError("--follow folds increments: give it without --rebuild or --check")
        if keep_following:
            opts = options(ctx)
            raise typer.Exit(follow(opts.settings(), opts.kafka_settings(), every))
        opts = options(ctx)
        rows = run_projections(opts.settings(), opts.kafka_settings(), rebuild, full_check=check)
    if check:
        checks = Table(title="whole-ledger checks", pad_edge=False)
        checks.add_column("check")
        checks.add_column("result")
        for name, meta in rows:
            checks.add_row(name, "passed" if meta["passed"] else "FAILED")
        out.print(checks)
        return
    table = Table(title="projections" + (" (rebuilt)" if rebuild else ""), pad_edge=False)
    for column in ("asset", "folded", "cursor", "digest"):
        table.add_column(column, justify="right" if column in ("folded", "cursor") else "left")
    for name, meta in rows:
        table.add_row(
            name,
            str(meta.get("events_folded", "-")),
            str(meta.get("cursor", meta.get("head_position", "-"))),
            str(meta.get("digest", meta.get("head_hash", "")))[:16],
        )
    print_table(out, table)
