"""``ledger witness``: verify the log's newest checkpoint extends the last one this
witness saw, cosign it, and post the cosignature back."""

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.context import EXIT_INVALID, err, error_line, options, out, reporting_errors
from ledger.errors import LedgerError
from ledger.log.key_file import ensure_signer
from ledger.log.note import COSIGNATURE_V1, NoteError, Verifier


def witness(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", help="The log's HTTP API, e.g. http://host:8000."),
    ] = None,
    log_key: Annotated[
        str | None,
        typer.Option(
            "--log-key", metavar="PUBKEY", help="The log's verifier key (NAME+KEYID+BASE64)."
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            metavar="KEY",
            envvar="LEDGER_API_KEY",
            help="An auditor API key of the log (to post cosignatures).",
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            metavar="FILE",
            help="The witness's own signing key, created if missing "
            "(default: LEDGER_HOME/witness.key).",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            metavar="FILE",
            help="The last checkpoint this witness cosigned "
            "(default: LEDGER_HOME/witness-state.json).",
        ),
    ] = None,
    name: Annotated[
        str,
        typer.Option("--name", metavar="NAME", help="The witness's name, for a new key."),
    ] = "witness.local/w1",
    public_key: Annotated[
        bool, typer.Option("--public-key", help="Print the witness's verifier key and stop.")
    ] = False,
) -> None:
    """Act as a witness once: fetch the log's latest checkpoint, verify its signature and
    a consistency proof from the last checkpoint this witness cosigned, cosign it (C2SP
    tlog-cosignature) and post the cosignature back to the log.

    A log that shows a smaller tree, another root for a size seen before, or a tree that
    does not extend it is refused (exit 1) and the state is left as it was; run it from
    cron or a timer. Exit 0 cosigned, 1 refused, 2 could not run.
    """
    from ledger.witness.http import HttpLog  # only this command talks HTTP to a log
    from ledger.witness.witness import Refused, witness_once

    home = options(ctx).settings().home.expanduser()
    with reporting_errors():
        signer, created = ensure_signer(key_file or home / "witness.key", name, COSIGNATURE_V1)
        if public_key:
            sys.stdout.write(signer.verifier.encode() + "\n")
            return
        if url is None or log_key is None:
            raise LedgerError("give the log's --url and its --log-key")
        try:
            verifier = Verifier.parse(log_key)
        except NoteError as exc:
            raise LedgerError(f"--log-key: {exc}") from None
        if created:
            out.print(f"witness key created: {signer.verifier.encode()}")
        try:
            done = witness_once(
                HttpLog(url, api_key),
                verifier,
                signer,
                state or home / "witness-state.json",
                int(time.time()),
            )
        except Refused as exc:
            err.print(error_line(f"REFUSED: {exc}"))
            raise typer.Exit(EXIT_INVALID) from None
    since = f" (consistent with size {done.previous:,})" if done.previous is not None else ""
    out.print(f"cosigned {done.checkpoint.origin} at size {done.checkpoint.size:,}{since}")
