"""``ledger audit check-proof``: a proof bundle (or a STIX export with its proofs)
verified offline, with the log's public key and no database."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ledger.cli.audit.running import AsJson, could_not_run
from ledger.cli.context import EXIT_CANNOT_RUN, EXIT_INVALID, err, error_line, out
from ledger.errors import LedgerError
from ledger.log.bundle import BundleError, check_bundle
from ledger.log.note import NoteError, Verifier


def _not_proven(problem: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"ok": False, "problem": problem}) + "\n")
    else:
        out.print(Text("NOT PROVEN: ", style="bold red") + Text(problem))
    raise typer.Exit(EXIT_INVALID)


def _check_stix(
    data: bytes, log_key: Verifier, witnesses: list[Verifier], min_witnesses: int, as_json: bool
) -> None:
    from ledger.stix.proofs import check_stix  # only this mode reads STIX

    try:
        checked = check_stix(data, log_key, witnesses, min_witnesses)
    except BundleError as exc:
        _not_proven(str(exc), as_json)
        return
    if as_json:
        document = {
            "ok": True,
            "log": checked.checkpoint.origin,
            "tree_size": checked.checkpoint.size,
            "root": checked.checkpoint.root.hex(),
            "objects": checked.objects,
            "events": checked.events,
            "witnesses": checked.witnesses,
        }
        sys.stdout.write(json.dumps(document) + "\n")
        return
    out.print(
        Text("PROVEN: ", style="bold green")
        + Text(
            f"{checked.objects} STIX object(s) are what the {checked.events} proven event(s) "
            f"they rest on say, in the tree of {checked.checkpoint.size:,} events signed by "
            f"{checked.checkpoint.origin}"
            + (f", cosigned by {', '.join(checked.witnesses)}" if checked.witnesses else "")
        )
    )


def check_proof(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A bundle from `ledger audit prove` (or, with --stix, a STIX export).",
        ),
    ],
    key: Annotated[
        str,
        typer.Option("--key", metavar="PUBKEY", help="The log's verifier key (NAME+KEYID+BASE64)."),
    ],
    witness_key: Annotated[
        list[str] | None,
        typer.Option(
            "--witness-key",
            metavar="PUBKEY",
            help="A witness's verifier key whose cosignature counts; may be repeated.",
        ),
    ] = None,
    min_witnesses: Annotated[
        int,
        typer.Option("--min-witnesses", metavar="N", min=0, help="Valid cosignatures required."),
    ] = 0,
    seen: Annotated[
        Path | None,
        typer.Option(
            "--seen",
            metavar="NOTE",
            help="A checkpoint of this log seen before: the bundle must show the same "
            "tree or one consistent with it (catches a forked or shrunk log).",
        ),
    ] = None,
    stix: Annotated[
        bool,
        typer.Option(
            "--stix",
            help="FILE is a STIX bundle from `ledger export stix --proofs`: check every "
            "object in it against the proven events it rests on.",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Verify a proof bundle offline, with no database: the checkpoint's signature (and
    witnesses' cosignatures), each event's inclusion in the signed tree, and consistency
    with a checkpoint seen before. With --stix, every object of a STIX export is rebuilt
    from the proven events it names and must be exactly what they say. Exit 0 proven,
    1 not, 2 unreadable input."""
    with could_not_run():
        try:
            log_key = Verifier.parse(key)
            witnesses = [Verifier.parse(k) for k in witness_key or []]
        except NoteError as exc:
            raise LedgerError(f"--key/--witness-key: {exc}") from None
        try:
            data = file.read_bytes()
            earlier = seen.read_text(encoding="utf-8") if seen is not None else None
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"cannot read {exc}") from None
    if stix:
        if seen is not None:
            err.print(error_line("--seen checks a proof bundle's tree; it does not go with --stix"))
            raise typer.Exit(EXIT_CANNOT_RUN)
        _check_stix(data, log_key, witnesses, min_witnesses, as_json)
        return
    try:
        checked = check_bundle(data, log_key, witnesses, min_witnesses, earlier)
    except BundleError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "problem": str(exc)}) + "\n")
        else:
            out.print(Text("NOT PROVEN: ", style="bold red") + Text(str(exc)))
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        document = {
            "ok": True,
            "log": checked.checkpoint.origin,
            "tree_size": checked.checkpoint.size,
            "root": checked.checkpoint.root.hex(),
            "positions": checked.positions,
            "witnesses": checked.witnesses,
        }
        sys.stdout.write(json.dumps(document) + "\n")
        return
    out.print(
        Text("PROVEN: ", style="bold green")
        + Text(
            f"{len(checked.positions)} event(s) are in the tree of {checked.checkpoint.size:,} "
            f"events signed by {checked.checkpoint.origin}"
            + (f", cosigned by {', '.join(checked.witnesses)}" if checked.witnesses else "")
        )
    )
