"""How every audit command runs: a failure before a verdict exits 2 (could not run),
long work shows a progress bar on a terminal, and the options several commands share."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.audit.verify import Anchor
from ledger.cli.context import EXIT_CANNOT_RUN, err, error_line
from ledger.errors import LedgerError, explained

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON).")]
ExpectAnchor = Annotated[
    list[str] | None,
    typer.Option(
        "--expect-anchor",
        metavar="POSITION:HASH",
        help="A hash recorded earlier with --anchor; fails if the history up to POSITION "
        "no longer has it. May be given several times.",
    ),
]


@contextmanager
def could_not_run() -> Iterator[None]:
    """Any error before a verdict means the audit could not run: exit 2, never 1."""
    try:
        yield
    except LedgerError as exc:
        err.print(error_line(explained(exc)))
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while on a terminal; a silent callback when piped."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def parse_anchors(texts: list[str] | None) -> list[Anchor]:
    return [Anchor.parse(t) for t in texts or []]
