"""``ledger audit export``: the ledger as a standard Avro object container file."""

from pathlib import Path
from typing import Annotated

import typer

from ledger.audit.export import export as export_ledger
from ledger.cli.audit.running import could_not_run, progress
from ledger.cli.context import options, out
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError
from ledger.runtime import open_ledger


def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The .avro file to write.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="TIME", help="Export what was recorded by this time. " + MOMENT_HELP
        ),
    ] = None,
    codec: Annotated[
        str,
        typer.Option("--codec", metavar="deflate|null", help="Block compression of the file."),
    ] = "deflate",
    clearance: Annotated[
        str | None,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            help="Redact for a reader of this clearance: the events it may not see keep "
            "only their position, record time and hashes (default: the global --clearance, "
            "else everything).",
        ),
    ] = None,
    compartment: Annotated[
        list[str] | None,
        typer.Option("--compartment", metavar="NAME", help="A compartment --clearance holds."),
    ] = None,
) -> None:
    """Write the ledger (up to --as-of) as a standard Avro object container file.

    One record per event: position, columns, record time, the single-object bytes as
    written, the schema fingerprint, prev_hash and hash; the file's metadata holds every
    writer schema and the head hash. Any Avro tool reads it; `ledger audit import-check
    FILE` re-verifies it offline. With --clearance, the events that clearance may not see
    are redacted, and import-check still verifies the whole chain through them.
    """
    opts = options(ctx)
    with could_not_run():
        codec = codec.strip().lower()
        if codec not in ("deflate", "null"):
            raise LedgerError(f"--codec {codec!r}: choose deflate or null")
        moment = given_time(as_of, "--as-of")
        if compartment and clearance is None:
            raise LedgerError("--compartment needs --clearance LEVEL")
        try:
            held = (
                Clearance.of(clearance.upper(), compartment or [])
                if clearance is not None
                else opts.settings().clearance
            )
        except ValueError as exc:
            raise LedgerError(f"--clearance: {exc}") from None
        with open_ledger(opts.settings()) as ledger:
            total = ledger.head().position
            partial = file.with_name(file.name + ".partial")
            try:
                with partial.open("wb") as handle, progress("exporting", total) as told:
                    last, head_hash = export_ledger(
                        ledger, handle, as_of=moment, codec=codec, progress=told, clearance=held
                    )
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise LedgerError(f"{file}: cannot write the export: {exc.strerror}") from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(file)
    out.print(f"wrote {last:,} events to {file}")
    out.print(f"head {last}:{head_hash.hex()}")
