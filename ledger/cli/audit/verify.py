"""``ledger audit verify``: prove that nothing in the ledger was altered."""

from pathlib import Path
from typing import Annotated

import typer

from ledger.audit.verify import verify as verify_ledger
from ledger.cli.audit.running import AsJson, ExpectAnchor, could_not_run, parse_anchors, progress
from ledger.cli.audit.verdict import finish
from ledger.cli.context import options
from ledger.errors import LedgerError
from ledger.log.key_file import load_signer
from ledger.log.note import NoteError, Verifier
from ledger.runtime import open_ledger


def verify(
    ctx: typer.Context,
    start: Annotated[
        int, typer.Option("--from", metavar="POSITION", help="First position to verify.")
    ] = 1,
    end: Annotated[
        int | None,
        typer.Option("--to", metavar="POSITION", help="Last position to verify (default: head)."),
    ] = None,
    anchor: Annotated[
        bool,
        typer.Option(
            "--anchor",
            help="Print POSITION:HASH of the last verified event; record it, and later prove "
            "the history before it unchanged with --expect-anchor.",
        ),
    ] = False,
    expect_anchor: ExpectAnchor = None,
    no_projections: Annotated[
        bool,
        typer.Option("--no-projections", help="Skip comparing projections with a fresh replay."),
    ] = False,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="PUBKEY",
            help="The log's verifier key (`ledger checkpoint --public-key`) to check the "
            "checkpoints' signatures with; default: the key of LEDGER_SIGNING_KEY_FILE.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            metavar="N",
            help="Processes a whole-ledger verify of 200,000 events or more splits its "
            "checks over (default: one per core; 1 keeps one pass).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Prove that nothing in the ledger was altered.

    Checks that positions are contiguous, record time never goes backwards, the hash chain
    holds, the Merkle tree is the hash of the events and every signed checkpoint is valid
    and fits it, every schema registry entry matches its fingerprint, every payload decodes with
    its registered schema and agrees with the columns beside it, event ids are unique, and
    (for the whole ledger) that every Kafka offset up to the archiver's position was
    archived exactly once or kept as rejected (reading the topic when
    LEDGER_KAFKA_BOOTSTRAP is set) and that each projection equals a fresh replay.

    With --from/--to only that range is checked; the event before --from is taken as
    stored. Exit 0 clean, 1 integrity failure (the first bad position is named), 2 could
    not run.
    """
    opts = options(ctx)
    with could_not_run():
        anchors = parse_anchors(expect_anchor)
        log_key = _log_key(key, opts.settings().signing_key_path)
        kafka = opts.kafka_settings()
        with open_ledger(opts.settings()) as ledger:
            last = end if end is not None else ledger.head().position
            with progress("verifying", max(last - start + 1, 0)) as told:
                report = verify_ledger(
                    ledger,
                    start=start,
                    end=end,
                    anchors=anchors,
                    kafka=kafka if kafka.enabled else None,
                    projections=not no_projections,
                    progress=told,
                    log_key=log_key,
                    workers=workers,
                )
    finish(report, as_json, anchor)


def _log_key(given: str | None, key_file: Path) -> Verifier | None:
    """The verifier key given, else that of the signing key file when there is one."""
    if given is not None:
        try:
            return Verifier.parse(given)
        except NoteError as exc:
            raise LedgerError(f"--key: {exc}") from None
    return load_signer(key_file).verifier if key_file.exists() else None
