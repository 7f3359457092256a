"""``ledger witnesses``: the witnesses whose cosignatures the ledger keeps, registered as
events in the ledger."""

import json
import uuid
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.domain.events import Event, WitnessKeyRegistered, WitnessKeyRevoked
from ledger.domain.values import Envelope
from ledger.errors import LedgerError, ValidationFailed
from ledger.log.witness_keys import WitnessKeys, refusals
from ledger.runtime import open_ledger
from ledger.store.witness_keys import witness_keys

app = typer.Typer(
    help="Witnesses' cosigning keys: the ledger keeps a cosignature of its checkpoints only "
    "when it verifies with a registered witness key over that exact checkpoint.",
    no_args_is_help=True,
)

RECORDED_BY = "ledger witnesses"


@app.command("register")
def register(
    ctx: typer.Context,
    verifier_key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help="The witness's verifier key, NAME+KEYID+BASE64 (what `ledger witness "
            "--public-key` prints on the witness's machine).",
        ),
    ],
) -> None:
    """Register a witness's key (a WitnessKeyRegistered event, appended directly): from
    now on the ledger keeps that witness's cosignatures of its checkpoints."""
    with reporting_errors():
        name = verifier_key.strip().split("+", 1)[0]
        try:
            event = WitnessKeyRegistered(
                envelope=_envelope(name), witness=name, verifier_key=verifier_key.strip()
            )
        except ValueError as exc:
            raise ValidationFailed([f"KEY: {_reason(exc)}"]) from None
        position = _append(ctx, event)
    out.print(f"registered witness key {name}+{event.key_id} at position {position}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    witness: Annotated[str, typer.Option("--witness", help="The witness's name.")],
    key_id: Annotated[str, typer.Option("--key-id", help="From `ledger witnesses list`.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")],
) -> None:
    """Revoke a witness's key (a WitnessKeyRevoked event): its cosignatures are neither
    kept nor served from now on."""
    with reporting_errors():
        try:
            revocation = WitnessKeyRevoked(
                envelope=_envelope(witness), witness=witness, key_id=key_id, reason=reason
            )
        except ValueError as exc:
            raise ValidationFailed([f"--key-id {key_id[:40]!r}: {_reason(exc)}"]) from None
        position = _append(ctx, revocation)
    out.print(f"revoked witness key {witness}+{key_id} at position {position}")


@app.command("list")
def listing(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every registered witness key: name, key id, where registered and revoked."""
    with reporting_errors(), open_ledger(options(ctx).settings()) as ledger:
        with ledger.connection() as conn:
            found = witness_keys(conn, ledger.codec)
    keys = sorted(found.keys.values(), key=lambda k: (k.verifier.name, k.registered_at))
    if as_json:
        for k in keys:
            record = {
                "witness": k.verifier.name,
                "key_id": k.verifier.key_id.hex(),
                "verifier_key": k.verifier.encode(),
                "registered_position": k.registered_at,
                "revoked_position": k.revoked_at,
            }
            out.print(json.dumps(record, ensure_ascii=False))
        return
    if not keys:
        err.print("no witness keys are registered (`ledger witnesses register KEY`)")
        return
    table = Table(pad_edge=False)
    for column in ("witness", "key id", "registered at", "revoked at"):
        table.add_column(column)
    for k in keys:
        revoked = str(k.revoked_at) if k.revoked_at is not None else "-"
        table.add_row(k.verifier.name, k.verifier.key_id.hex(), str(k.registered_at), revoked)
    print_table(out, table)


def _append(ctx: typer.Context, event: Event) -> int:
    with open_ledger(options(ctx).settings()) as ledger:
        with ledger.connection() as conn:
            found: WitnessKeys = witness_keys(conn, ledger.codec)
        refused = refusals(found, [event])
        if refused:
            raise ValidationFailed([reason for _, reason in refused])
        [done] = ledger.append([event])
    return done.position


def _reason(exc: ValueError) -> str:
    """The model's own sentence, without pydantic's framing."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        messages = [str(e.get("msg", "")).removeprefix("Value error, ") for e in errors()]
        return "; ".join(m for m in messages if m) or str(exc)
    return str(exc)


def _envelope(witness: str) -> Envelope:
    try:
        return Envelope(
            event_id=uuid.uuid4(), stream_id=f"witness:{witness}", recorded_by=RECORDED_BY
        )
    except ValueError as exc:
        raise LedgerError(f"{witness[:60]!r}: not a usable witness name") from exc
