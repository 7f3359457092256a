"""``ledger audit replay``: the projections rebuilt as they were at a past record time."""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from ledger.audit.replay import ReplayResult
from ledger.audit.replay import replay as replay_ledger
from ledger.cli.audit.running import AsJson, could_not_run
from ledger.cli.context import EXIT_INVALID, err, options, out
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.errors import LedgerError
from ledger.runtime import open_ledger


def replay(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="TIME",
            help="Record time to replay (default: now, the head). " + MOMENT_HELP,
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write each table as DIR/<table>.csv with a manifest, instead of keeping "
            "a scratch schema.",
        ),
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            metavar="NAME",
            help="Scratch schema to build in (replaced if it exists); default "
            "projection_replay_<position>.",
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Report where the live projections, asked as of the same time, differ.",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Rebuild every projection as it was at record time T, from the events alone.

    Folds the ledger up to the last event recorded at or before T into a scratch schema
    (never the live one), or into CSV files with --out (same ledger, same bytes). With
    --compare, the live projections' as-of answers (fact rows, posture, sources) are
    compared with the replay; any difference exits 1.
    """
    opts = options(ctx)
    with could_not_run():
        moment = given_time(as_of, "--as-of")
        if schema is not None and (schema == "projection" or not schema.isidentifier()):
            raise LedgerError(
                f"--schema {schema!r}: give a new name of letters, digits and underscores"
            )
        with open_ledger(opts.settings()) as ledger:
            position = ledger.position_at(moment) if moment else ledger.head().position
            with _replayprogress(position) as told:
                result = replay_ledger(
                    ledger,
                    as_of=moment,
                    position=position,
                    schema=schema,
                    out=out_dir,
                    compare=compare,
                    progress=told,
                    clearance=opts.settings().clearance,
                )
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), indent=2) + "\n")
    else:
        _print_replay(result)
    if result.differences:
        raise typer.Exit(EXIT_INVALID)


@contextmanager
def _replayprogress(position: int) -> Iterator[Callable[[str, int], None]]:
    if not sys.stderr.isatty():
        yield lambda _name, _reached: None
        return
    bar = Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )
    with bar:
        tasks: dict[str, Any] = {}

        def told(name: str, reached: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=position)
            bar.update(tasks[name], completed=reached)

        yield told


def _print_replay(result: ReplayResult) -> None:
    when = result.as_of.isoformat() if result.as_of else "the head"
    out.print(
        f"Replayed the projections as of {when}: ledger position {result.position} "
        f"(hash {result.head_hash.hex()[:16]}...) in {result.seconds:.1f} s"
    )
    where = f"schema {result.schema}" if result.schema else f"directory {result.out}"
    out.print(f"  written to {where}")
    for name, digest in result.digests.items():
        out.print(f"  {name:<14} digest {digest}")
    out.print("  rows: " + ", ".join(f"{t} {n}" for t, n in result.rows.items()))
    if not result.compared:
        return
    if not result.differences:
        out.print(Text("The live projections answer exactly the same as of then.", style="bold"))
        return
    out.print(
        Text(
            f"{len(result.differences)} difference(s) from the live projections:", style="bold red"
        )
    )
    for difference in result.differences:
        out.print(f"  - {difference}")
