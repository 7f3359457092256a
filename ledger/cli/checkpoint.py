"""``ledger checkpoint``: sign the Merkle tree's head as a C2SP checkpoint and print it."""

import sys
from typing import Annotated

import typer

from ledger.cli.context import options, reporting_errors
from ledger.log.key_file import load_signer
from ledger.runtime import open_ledger


def checkpoint(
    ctx: typer.Context,
    public_key: Annotated[
        bool,
        typer.Option(
            "--public-key",
            help="Print the log's verifier key (NAME+KEYID+BASE64) instead, for auditors "
            "and witnesses; needs no database.",
        ),
    ] = False,
) -> None:
    """Sign the current head of the ledger's Merkle tree and print the signed note.

    The note is a C2SP tlog-checkpoint (origin, tree size, root) signed with the log's
    Ed25519 key (LEDGER_SIGNING_KEY_FILE, default LEDGER_HOME/signing.key, created by
    `ledger init`) and kept in the ledger. When the head has not moved, the checkpoint
    already signed is printed. The ledger refuses to sign a tree that does not extend its
    last checkpoint (history rewritten or events removed): exit 1.
    """
    settings = options(ctx).settings()
    with reporting_errors():
        signer = load_signer(settings.signing_key_path)
        if public_key:
            sys.stdout.write(signer.verifier.encode() + "\n")
            return
        with open_ledger(settings) as ledger:
            stored, _ = ledger.checkpoints.issue(signer)
    sys.stdout.write(stored.note)
