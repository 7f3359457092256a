"""``ledger producers``: producers' signing keys, registered as events in the ledger."""

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.domain.events import ProducerKeyRegistered, ProducerKeyRevoked, public_key_bytes
from ledger.domain.values import Envelope
from ledger.errors import LedgerError, ValidationFailed
from ledger.log.producer_signing import ProducerSigner
from ledger.runtime import open_ledger

app = typer.Typer(
    help="Producers' Ed25519 keys: events signed with a registered key carry proof of who "
    "wrote them; a producer may be required to sign everything it records.",
    no_args_is_help=True,
)

RECORDED_BY = "ledger producers"


@app.command("keygen")
def keygen(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the new key.")],
) -> None:
    """Make a new Ed25519 key in FILE (readable by its owner only; never overwritten) and
    print its public key; register it with `ledger producers register`, then sign with
    `ledger append --sign-with FILE`."""
    with reporting_errors():
        signer = ProducerSigner.generate()
        signer.save(file)
    err.print(f"wrote key {signer.key_id} to {file}; its public key:")
    out.print(signer.public_key_text)


@app.command("register")
def register(
    ctx: typer.Context,
    producer: Annotated[
        str, typer.Option("--producer", help="The producer, as its events' recorded_by say.")
    ],
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", metavar="BASE64", help="The raw public key, base64."),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", metavar="FILE", help="Take the public key of this key file."),
    ] = None,
    require_signatures: Annotated[
        bool,
        typer.Option(
            "--require-signatures",
            help="From now on refuse the producer's unsigned events (never lifted after).",
        ),
    ] = False,
) -> None:
    """Register a producer's public key (a ProducerKeyRegistered event, appended directly)."""
    with reporting_errors():
        if (public_key is None) == (key_file is None):
            raise ValidationFailed(["give exactly one of --public-key and --key-file"])
        text = ProducerSigner.load(key_file).public_key_text if key_file is not None else public_key
        assert text is not None
        if public_key_bytes(text) is None:
            raise ValidationFailed(["--public-key: not a raw 32-byte Ed25519 key in base64"])
        event = ProducerKeyRegistered(
            envelope=_envelope(producer),
            producer=producer,
            public_key=text,
            require_signatures=require_signatures,
        )
        with open_ledger(options(ctx).settings()) as ledger:
            [done] = ledger.append([event])
    policy = "; its unsigned events are refused from now on" if require_signatures else ""
    out.print(f"registered key {event.key_id} for {producer!r} at position {done.position}{policy}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    producer: Annotated[str, typer.Option("--producer", help="The key's producer.")],
    key_id: Annotated[str, typer.Option("--key-id", help="From `ledger producers list`.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")],
) -> None:
    """Revoke a producer's key (a ProducerKeyRevoked event): events signed with it from
    now on are refused; those signed before stay valid."""
    with reporting_errors():
        try:
            event = ProducerKeyRevoked(
                envelope=_envelope(producer), producer=producer, key_id=key_id, reason=reason
            )
        except ValueError as exc:
            raise ValidationFailed([f"--key-id {key_id!r}: 16 lower-case hex digits"]) from exc
        with open_ledger(options(ctx).settings()) as ledger:
            [done] = ledger.append([event])
    out.print(f"revoked key {key_id} of {producer!r} at position {done.position}")


@app.command("list")
def listing(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every registered key: producer, key id, where registered and revoked, and whether
    the producer must sign."""
    with reporting_errors(), open_ledger(options(ctx).settings()) as ledger:
        register_now = ledger.producer_keys()
    keys = sorted(register_now.keys.values(), key=lambda k: (k.producer, k.registered_at))
    required = register_now.required_since
    if as_json:
        for k in keys:
            record = {
                "producer": k.producer,
                "key_id": k.key_id,
                "registered_position": k.registered_at,
                "revoked_position": k.revoked_at,
                "signatures_required_since": required.get(k.producer),
            }
            out.print(json.dumps(record, ensure_ascii=False))
        return
    if not keys:
        err.print("no producer keys are registered (`ledger producers register`)")
        return
    table = Table(pad_edge=False)
    for column in ("producer", "key id", "registered at", "revoked at", "must sign since"):
        table.add_column(column)
    for k in keys:
        since = required.get(k.producer)
        table.add_row(
            k.producer,
            k.key_id,
            str(k.registered_at),
            str(k.revoked_at) if k.revoked_at is not None else "-",
            str(since) if since is not None else "-",
        )
    print_table(out, table)


def _envelope(producer: str) -> Envelope:
    try:
        return Envelope(
            event_id=uuid.uuid4(), stream_id=f"producer:{producer}", recorded_by=RECORDED_BY
        )
    except ValueError as exc:
        raise LedgerError(f"--producer {producer!r}: not a usable producer name") from exc
