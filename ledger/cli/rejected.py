"""``ledger rejected``: what the ledger kept aside, without SQL."""

import base64
import json
import sys
from datetime import UTC
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.runtime import open_ledger
from ledger.store.rejected import Rejection, rejections


def _as_json(found: Rejection) -> str:
    record = {
        "id": found.id,
        "received_at": found.received_at.isoformat(),
        "origin": found.origin,
        "topic": found.topic,
        "partition": found.partition,
        "offset": found.offset,
        "reason": found.reason,
        "payload_bytes": found.payload_bytes,
        "payload_sha256": found.payload_sha256,
        "key": base64.b64encode(found.key).decode() if found.key is not None else None,
        "headers": found.headers,
    }
    if found.payload is not None:
        record["payload"] = base64.b64encode(found.payload).decode()
    return json.dumps(record)


def rejected(
    ctx: typer.Context,
    after: Annotated[
        int, typer.Option("--after", min=0, metavar="ID", help="Only rejections after this id.")
    ] = 0,
    limit: Annotated[
        int, typer.Option("--limit", min=0, metavar="N", help="Show at most N; 0 = all.")
    ] = 100,
    origin: Annotated[
        str | None, typer.Option("--origin", metavar="ORIGIN", help="Only this origin (kafka).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    payload: Annotated[
        bool, typer.Option("--payload", help="With --json: each input's bytes, base64.")
    ] = False,
) -> None:
    """Inputs the ledger could not accept, kept in ledger.rejected: each Kafka message
    that did not decode or validate, with its origin, topic, partition and offset, the
    reason, and the size and SHA-256 of its bytes. Nothing is dropped silently: what the
    archiver could not take is listed here (as the operator sees it: a rejected input has
    no marking). Also over HTTP: GET /rejected (auditor and admin keys).
    """
    settings = options(ctx).settings()
    with reporting_errors(), open_ledger(settings) as ledger:
        with ledger.connection() as conn:  # the operator's: rejections carry no marking
            found = rejections(
                conn, after=after, limit=limit or None, origin=origin, with_payload=payload
            )
    if as_json:
        for item in found:
            sys.stdout.write(_as_json(item) + "\n")
        return
    if not found:
        err.print("no rejected inputs" + (f" after id {after}" if after else ""))
        return
    table = Table(pad_edge=False)
    for column in ("id", "received (UTC)", "origin", "topic / partition / offset", "bytes"):
        table.add_column(column, justify="right" if column in ("id", "bytes") else "left")
    table.add_column("reason", overflow="fold")
    for item in found:
        where = (
            f"{item.topic} / {item.partition} / {item.offset}" if item.topic is not None else "-"
        )
        table.add_row(
            str(item.id),
            item.received_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            item.origin,
            where,
            "-" if item.payload_bytes is None else f"{item.payload_bytes:,}",
            item.reason,
        )
    print_table(out, table)
    if limit and len(found) == limit:
        err.print(f"showing {len(found)}; use --after {found[-1].id} for more, or --limit 0")
