"""``ledger audit prove``: a self-contained proof bundle of events or of an answer."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.audit.proofs import answer_positions
from ledger.audit.proofs import prove as prove_events
from ledger.cli.audit.running import could_not_run
from ledger.cli.context import err, options, out
from ledger.errors import LedgerError
from ledger.log.checkpoint import Checkpoint
from ledger.log.key_file import load_signer
from ledger.log.note import parse_note
from ledger.runtime import open_ledger


def prove(
    ctx: typer.Context,
    positions: Annotated[
        list[int] | None,
        typer.Argument(metavar="[POSITION]...", help="Ledger positions of the events to prove."),
    ] = None,
    answer: Annotated[
        Path | None,
        typer.Option(
            "--answer",
            metavar="FILE",
            help="An answer as `--json` prints it (`-` reads stdin): prove every event it "
            "rests on (its `positions` lists and `..._position` values).",
        ),
    ] = None,
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE", help="Where to write the bundle (`-`: standard output)."
        ),
    ] = Path("proof.json"),
    since: Annotated[
        list[int] | None,
        typer.Option(
            "--since",
            metavar="SIZE",
            help="Also prove that the checkpoint extends the tree of SIZE events (one a "
            "reader saw before); may be given several times.",
        ),
    ] = None,
) -> None:
    """Write a self-contained proof bundle: events' exact bytes, their inclusion proofs,
    and the signed checkpoint (with its cosignatures) they rest on.

    Anyone with the log's public key can check it offline with `ledger audit check-proof`.
    When no checkpoint covers the events yet, one is signed first (needs the signing key).
    """
    opts = options(ctx)
    with could_not_run():
        wanted = list(positions or [])
        if answer is not None:
            wanted += answer_positions(_read_json(answer))
        settings = opts.settings()
        signer = (
            load_signer(settings.signing_key_path) if settings.signing_key_path.exists() else None
        )
        with open_ledger(settings) as ledger:
            bundle = prove_events(ledger, wanted, signer=signer, since=since or [])
        data = bundle.encode()
        to_stdout = str(out_file) == "-"
        try:
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                out_file.write_bytes(data)
        except OSError as exc:
            raise LedgerError(f"{out_file}: cannot write the bundle: {exc.strerror}") from None
    size = Checkpoint.parse(parse_note(bundle.checkpoint).text).size
    # the bundle alone on standard output: the summary goes to stderr then
    (err if to_stdout else out).print(
        f"wrote {'the bundle to standard output' if to_stdout else out_file}: "
        f"{len(bundle.events)} event(s) proven in the tree of {size:,} events ({len(data):,} bytes)"
    )


def _read_json(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read the answer: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: the answer is not JSON: {exc}") from None
