"""``ledger export stix``: the ledger as a STIX 2.1 bundle, for the tools teams already run."""

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.cli.context import err, options, reporting_errors
from ledger.cli.moments import given_time
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError
from ledger.log.key_file import load_signer
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.proving import checkpoint_for, prover

app = typer.Typer(
    help="Export the ledger in exchange formats other tools read (STIX 2.1).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@contextmanager
def _progress(shown: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal and the bundle does not go there."""
    if not shown:
        yield lambda done, total: None
        return
    bar = Progress(
        TextColumn("exporting events"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task("export", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _clearance(
    global_clearance: Clearance, level: str | None, compartments: list[str]
) -> Clearance:
    if level is None:
        if compartments:
            raise typer.BadParameter(
                "give --clearance LEVEL with --compartment", param_hint="--compartment"
            )
        return global_clearance
    try:
        return Clearance.of(level.strip().upper(), compartments)
    except ValueError as exc:
        raise LedgerError(f"--clearance: {exc}") from None


@contextmanager
def _target(out: Path) -> Iterator[BinaryIO]:
    """Stdout for ``-``; else a temporary file beside ``out``, renamed onto it once the
    bundle is whole (an export that fails leaves no half-written bundle)."""
    if str(out) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    directory = out.parent if str(out.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=directory)
    except OSError as exc:
        raise LedgerError(f"{out}: cannot write the bundle there: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(name, out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@app.command("stix")
def stix(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FILE|-", help="Where to write the bundle (- for stdout)."),
    ] = Path("-"),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="T",
            help="Export what the ledger knew at this record time (ISO, with a timezone).",
        ),
    ] = None,
    clearance: Annotated[
        str | None,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            help="Export what a reader of this clearance sees (default: the global "
            "--clearance / LEDGER_CLEARANCE, else the operator, who sees every event).",
        ),
    ] = None,
    compartment: Annotated[
        list[str] | None,
        typer.Option("--compartment", metavar="NAME", help="A compartment --clearance holds."),
    ] = None,
    all_versions: Annotated[
        bool,
        typer.Option("--all-versions", help="Every version of each object, not only the newest."),
    ] = False,
    proofs: Annotated[
        bool,
        typer.Option(
            "--proofs",
            help="Add notes with the inclusion proofs of the events every object rests on "
            "and the signed checkpoint (`ledger audit check-proof --stix` checks them).",
        ),
    ] = False,
) -> None:
    """Write a STIX 2.1 bundle of everything the clearance sees, up to a position.

    Sources, actors and places become identities and locations, documents reports,
    claims notes, attributions, assessments and deployment reports relationships; what
    STIX has no property for is in the ledger's extension (its schema ships in
    ledger/stix/schema). Every object carries the ledger positions it rests on and its
    markings (the ledger's, and TLP 2.0). The same ledger, position and options give
    the same bytes. With --proofs and no signed checkpoint covering the position, one is
    signed first (with LEDGER_SIGNING_KEY_FILE). A progress bar shows while stderr is a
    terminal (and the bundle does not go there); a line on stderr says what was written.
    """
    settings = options(ctx).settings()
    with reporting_errors():
        reader = _clearance(settings.clearance, clearance, compartment or [])
        moment = given_time(as_of, "--as-of")
        with open_ledger(settings) as ledger:
            position = ledger.position_at(moment) if moment is not None else ledger.head().position
            proving = None
            if proofs:
                key = settings.signing_key_path
                signer = load_signer(key) if key.exists() else None
                proving = prover(ledger, checkpoint_for(ledger, position, signer))
            to_terminal = str(out) == "-" and sys.stdout.isatty()
            with _progress(sys.stderr.isatty() and not to_terminal) as progress:
                export = StixExport(
                    ledger,
                    ExportRequest(position, reader, all_versions),
                    Context(settings.log_name),
                    prover=proving,
                    progress=progress,
                )
                try:
                    with _target(out) as target:
                        for piece in export.chunks():
                            target.write(piece)
                except BrokenPipeError:  # the reader stopped (`| head`): not an error
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    return
    where = "stdout" if str(out) == "-" else str(out)
    err.print(
        f"wrote {where}: {export.stats.objects:,} STIX objects ({export.stats.versions:,} "
        f"versions of ledger objects) from {export.stats.events:,} events up to position "
        f"{position:,}, as {reader.text()}"
    )
