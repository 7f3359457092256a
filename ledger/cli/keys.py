"""``ledger keys``: create, list and revoke the HTTP API's bearer keys; make database
logins with a fixed clearance."""

import json
from typing import Annotated

import typer
from rich.table import Table

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.tables import print_table
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError
from ledger.runtime import open_ledger
from ledger.store import db_logins
from ledger.web import keys
from ledger.web.keys import Role

app = typer.Typer(
    help="API keys for `ledger serve`: each has a role (producer, analyst, auditor, admin).",
    no_args_is_help=True,
)


@app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[
        Role,
        typer.Option(
            "--role",
            case_sensitive=False,
            help="producer appends; analyst and auditor read; admin does both.",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key.")],
    clearance: Annotated[
        str,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            help="Highest marking its holder may read (and, for a producer, write): "
            "UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET or TOP_SECRET.",
        ),
    ] = "UNCLASSIFIED",
    compartment: Annotated[
        list[str] | None,
        typer.Option(
            "--compartment",
            metavar="NAME",
            help="A compartment the key holds (repeat for more); none by default.",
        ),
    ] = None,
) -> None:
    """Make a key and print it once on stdout; only its SHA-256 is stored.

    A key made without --clearance holds UNCLASSIFIED and no compartments (least
    privilege): it sees only events marked UNCLASSIFIED with no compartment.
    Keep the key: it cannot be shown again. `KEY=$(ledger keys create ...)` captures it.
    """
    with reporting_errors():
        try:
            held = Clearance.of(clearance.upper(), compartment or [])
        except ValueError as exc:
            raise LedgerError(f"--clearance/--compartment: {exc}") from None
        with open_ledger(options(ctx).settings()) as ledger, ledger.connection() as conn:
            made, key = keys.create(conn, role, name, held)
    err.print(
        f"created {made.role.value} key {made.key_id} for {made.name!r} cleared to "
        f"{made.clearance.text()}; shown once:"
    )
    out.print(key)


@app.command("list")
def listing(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every key (never the secret): id, name, role, when made, when revoked."""
    with reporting_errors(), open_ledger(options(ctx).settings()) as ledger:
        with ledger.connection() as conn:
            found = keys.listing(conn)
    if as_json:
        for k in found:
            record = {
                "key_id": k.key_id,
                "name": k.name,
                "role": k.role.value,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                "clearance": k.clearance.to_json(),
            }
            out.print(json.dumps(record))
        return
    table = Table(pad_edge=False)
    for column in ("key id", "name", "role", "clearance", "created", "revoked"):
        table.add_column(column)
    for k in found:
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        table.add_row(
            k.key_id,
            k.name,
            k.role.value,
            k.clearance.text(),
            k.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    print_table(out, table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="From `ledger keys list`.")],
) -> None:
    """Revoke a key: the next request with it gets 401, in every server process."""
    with reporting_errors(), open_ledger(options(ctx).settings()) as ledger:
        with ledger.connection() as conn:
            done = keys.revoke(conn, key_id)
    assert done.revoked_at is not None
    out.print(f"revoked {done.key_id} ({done.name}, {done.role.value}) at {done.revoked_at}")


@app.command("create-db-user")
def create_db_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The login's name, e.g. metabase.")],
    clearance: Annotated[
        str,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            help="Highest marking it reads: UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET "
            "or TOP_SECRET.",
        ),
    ],
    compartment: Annotated[
        list[str] | None,
        typer.Option(
            "--compartment",
            metavar="NAME",
            help="A compartment it holds (repeat for more); none by default.",
        ),
    ] = None,
) -> None:
    """Make a PostgreSQL login for psql or a BI tool; print its password once on stdout.

    Row-level security reads its clearance from a table only the ledger's owner
    writes, by the login's name: whatever SQL it runs (SET, set_config, SET ROLE), it
    reads the events, markings and projection rows its clearance covers, no more.
    Run as the database's owner (the user `ledger init` ran as).
    """
    with reporting_errors():
        try:
            held = Clearance.of(clearance.upper(), compartment or [])
        except ValueError as exc:
            raise LedgerError(f"--clearance/--compartment: {exc}") from None
        with open_ledger(options(ctx).settings()) as ledger, ledger.connection() as conn:
            password = db_logins.create_login(conn, name, held)
    err.print(f"created database user {name!r} reading as {held.text()}; password shown once:")
    out.print(password)
