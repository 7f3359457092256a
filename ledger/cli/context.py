"""What every command shares: settings from the global options, consoles, error exits."""

import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from ledger.config import KafkaSettings, Settings, load
from ledger.errors import (
    CannotRun,
    LedgerError,
    StoreRefused,
    ValidationFailed,
    explained,
)

PIPED_WIDTH = 160
"""Output width when stdout is not a terminal and COLUMNS does not say (rich would
otherwise assume 80)."""


def _width() -> int | None:
    """The terminal's width; piped, the width COLUMNS gives, else ``PIPED_WIDTH``."""
    if sys.stdout.isatty():
        return None
    given = os.environ.get("COLUMNS", "")
    return int(given) if given.isdigit() and int(given) > 0 else PIPED_WIDTH


out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True, width=_width())
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


def error_line(message: str) -> Text:
    """``error: <message>``, the message shown exactly as written."""
    return Text("error: ", style="bold red") + Text(message)


EXIT_INVALID = 1
"""Input rejected or integrity problem found."""
EXIT_CANNOT_RUN = 2
"""The command could not run: database unreachable, bad usage."""


@dataclass
class Options:
    home: Path | None = None
    database_url: str | None = None
    kafka_bootstrap: str | None = None
    topic: str | None = None
    clearance: str | None = None

    def kafka_settings(self) -> KafkaSettings:
        overrides: dict[str, object] = {}
        if self.kafka_bootstrap is not None:
            overrides["bootstrap"] = self.kafka_bootstrap
        if self.topic is not None:
            overrides["topic"] = self.topic
        return load(KafkaSettings, **overrides)

    def settings(self) -> Settings:
        overrides: dict[str, object] = {}
        if self.home is not None:
            overrides["home"] = self.home
        if self.database_url is not None:
            overrides["database_url"] = self.database_url
        if self.clearance is not None:
            overrides["clearance"] = self.clearance
        return load(Settings, **overrides)


def options(ctx: typer.Context) -> Options:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Options) else Options()


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn ledger errors into one line on stderr and the documented exit code."""
    try:
        yield
    except CannotRun as exc:
        err.print(error_line(str(exc)))
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    except StoreRefused as exc:
        err.print(error_line(explained(exc)))
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    except ValidationFailed as exc:
        if len(exc.problems) == 1:
            err.print(error_line(str(exc)))
        else:  # the headline once, then each problem on a line of its own
            err.print(error_line(f"{exc.headline}:"))
            for problem in exc.problems:
                err.print(f"  - {problem}")
        raise typer.Exit(EXIT_INVALID) from None
    except LedgerError as exc:
        err.print(error_line(str(exc)))
        raise typer.Exit(EXIT_INVALID) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None


def status(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while long work runs on a terminal; silent when piped."""
    return err.status(message) if sys.stderr.isatty() else nullcontext()
