"""``ledger append``: validate a JSON Lines file whole, then append it in one batch."""

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer

from ledger.cli.context import err, options, out, reporting_errors, status
from ledger.cli.render import counted
from ledger.errors import ConflictError, ValidationFailed
from ledger.intake import OPERATOR_CALLER, Options, Streamed, submit
from ledger.intake.limits import InputLimits
from ledger.intake.lines import check_lines, iter_events, split_lines
from ledger.log.producer_signing import ProducerSigner
from ledger.ports import Receipt
from ledger.runtime import describe_target, open_sink
from ledger.store.producer_keys import SignatureRefused


def _ranges(positions: list[int]) -> str:
    """Positions as compact ranges: 1-5, 9, 12-13."""
    parts: list[str] = []
    start = previous = None
    for p in sorted(positions):
        if previous is not None and p == previous + 1:
            previous = p
            continue
        if start is not None:
            parts.append(f"{start}-{previous}" if start != previous else f"{start}")
        start = previous = p
    if start is not None:
        parts.append(f"{start}-{previous}" if start != previous else f"{start}")
    return ", ".join(parts)


class _Input:
    """The lines of a file or of stdin, as bytes split on ``\n`` alone (read twice: once
    to check, once to append; stdin is spooled to a temporary file for that)."""

    def __init__(self, file: str, limits: InputLimits) -> None:
        self.source = "<stdin>" if file == "-" else file
        self.limits = limits
        self._path = None if file == "-" else Path(file)
        self._stdin: IO[bytes] | None = None
        if self._path is None:
            # kept open for the two passes over the input; closed by close()
            self._stdin = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
            shutil.copyfileobj(sys.stdin.buffer, self._stdin)
            return
        try:
            with self._path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            raise ValidationFailed([f"{self._path}: cannot read: {exc.strerror}"]) from exc

    def lines(self) -> Iterator[bytes]:
        if self._stdin is not None:
            self._stdin.seek(0)
            yield from split_lines(self._stdin, self.limits.max_body_bytes)
            return
        assert self._path is not None
        with self._path.open("rb") as handle:
            yield from split_lines(handle, self.limits.max_body_bytes)


def append(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="JSON Lines file of events, or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON line per event with its position.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; append nothing.")
    ] = False,
    via: Annotated[
        str,
        typer.Option(
            "--via",
            metavar="auto|direct|kafka",
            help="Transport: auto is kafka when LEDGER_KAFKA_BOOTSTRAP is set, else direct.",
        ),
    ] = "auto",
    sign_with: Annotated[
        Path | None,
        typer.Option(
            "--sign-with",
            metavar="KEYFILE",
            help="Sign every event with this producer key (`ledger producers keygen`); the "
            "ledger checks the signature against the key registered for each event's "
            "recorded_by.",
        ),
    ] = None,
    allow_unresolved: Annotated[
        bool,
        typer.Option(
            "--allow-unresolved",
            help="Append events that name an actor, place, source, document or claim the "
            "ledger does not hold (they are shown as unresolved); refused by default.",
        ),
    ] = False,
) -> None:
    """Append events from a JSON Lines file: all of them, or none.

    Each line is one event: {"type": "ClaimAsserted", "envelope": {"event_id": "<uuid>",
    "recorded_by": "<producer>"}, ...fields}. envelope.stream_id defaults to the event's
    subject (e.g. claim:<claim_id>); the record time is set by the ledger. Every line is
    validated first; if any is invalid, the errors name line, field and reason, and
    nothing is appended. Re-appending the same events is a no-op that reports their
    original positions.

    Directly, an event naming an actor, place, source, document or claim that is neither
    in the ledger nor registered earlier in the file is refused (with the closest names
    registered), unless --allow-unresolved is given; --dry-run checks no references.

    Input is UTF-8 text (a leading byte order mark is dropped; UTF-16 is refused), split
    on newlines alone; lines, texts, lists and nesting are bounded by the LEDGER_MAX_*
    settings (see the README's Configuration).

    Via Kafka the batch is sent as one transaction and the output gives partitions and
    offsets; `ledger archive` then stores the events (re-sending is harmless there too).

    With --sign-with, each event is signed over its exact bytes. Directly, events whose
    signature the producer key register refuses (or that are unsigned while their
    producer must sign) are refused with their lines, and nothing is appended; via
    Kafka, the archiver rejects such events (`ledger.rejected`) and stores the rest.
    """
    opts = options(ctx)
    settings, kafka = opts.settings(), opts.kafka_settings()
    with reporting_errors():
        limits = settings.limits
        given = _Input(file, limits)
        source = given.source
        with status(f"validating {source}"):
            count = check_lines(given.lines(), source, limits)
        if not count:
            raise ValidationFailed([f"{source}: no events found (the input is empty)"])
        if dry_run:
            out.print(f"{counted(count, 'event')} valid; nothing appended (--dry-run)")
            return
        via = via.strip().lower()
        if via not in ("auto", "direct", "kafka"):
            raise ValidationFailed([f"--via {via!r}: choose auto, direct or kafka"])
        signer = ProducerSigner.load(sign_with) if sign_with is not None else None
        batch = Streamed(
            lambda: ((p.line, p.event) for p in iter_events(given.lines(), source, limits))
        )
        appending = Options(
            label=lambda line: f"{source} line {line}", allow_unresolved=allow_unresolved
        )
        with open_sink(settings, kafka, via, signer) as sink:  # type: ignore[arg-type]
            try:
                with status(f"checking and appending {counted(count, 'event')} via {sink.name}"):
                    receipts = submit(batch, OPERATOR_CALLER, appending, sink)
            except ConflictError as exc:
                raise _located(exc, given, source) from None
            except SignatureRefused as exc:
                raise _lines_of(exc, given, source) from None
    _print(receipts, sink.name, kafka.topic, describe_target(settings), as_json, given)


def _print(
    receipts: list[Receipt],
    transport: str,
    topic: str,
    target: str,
    as_json: bool,
    given: "_Input",
) -> None:
    """What an append did: a JSON line per event, or a summary."""
    if as_json:
        numbers = (p.line for p in iter_events(given.lines(), given.source, given.limits))
        for number, receipt in zip(numbers, receipts, strict=True):
            document = {"line": number, **_receipt_json(receipt)}
            sys.stdout.write(json.dumps(document) + "\n")
        return
    if transport == "kafka":
        partitions = sorted({r.partition for r in receipts if r.partition is not None})
        out.print(
            f"sent {counted(len(receipts), 'event')} to Kafka topic {topic} as one transaction "
            f"({'partition' if len(partitions) == 1 else 'partitions'} "
            f"{', '.join(map(str, partitions))}); `ledger archive` stores them"
        )
        return
    new = [r.position for r in receipts if r.appended and r.position is not None]
    old = [r.position for r in receipts if not r.appended and r.position is not None]
    out.print(f"direct append to {target}")
    if new:
        out.print(
            f"appended {counted(len(new), 'event')} at "
            f"{'position' if len(new) == 1 else 'positions'} {_ranges(new)}"
        )
    if old:
        out.print(
            f"{counted(len(old), 'event')} {'was' if len(old) == 1 else 'were'} already in the "
            f"ledger at {'position' if len(old) == 1 else 'positions'} {_ranges(old)}"
        )
    if not new:
        err.print("nothing new appended")


def _receipt_json(receipt: Receipt) -> dict[str, object]:
    if receipt.topic is not None:
        return {
            "event_id": str(receipt.event_id),
            "topic": receipt.topic,
            "partition": receipt.partition,
            "offset": receipt.offset,
        }
    return {
        "event_id": str(receipt.event_id),
        "position": receipt.position,
        "appended": receipt.appended,
    }


def _lines_of(exc: SignatureRefused, given: _Input, source: str) -> SignatureRefused:
    """The refusals of the key register, each at its line of the input."""
    lines = [item.line for item in iter_events(given.lines(), source, given.limits)]
    return exc.located(lambda index: f"{source} line {lines[index]}")


def _located(exc: ConflictError, given: _Input, source: str) -> ConflictError:
    for item in iter_events(given.lines(), source, given.limits):
        if item.event.envelope.event_id == exc.event_id:
            return ConflictError(
                f"{source} line {item.line}: {exc}; an event id names one event forever, "
                "so give new content a new id",
                exc.event_id,
            )
    return exc
