"""``ledger init``: create or upgrade the ledger's tables; safe to run again."""

import typer

from ledger.cli.context import options, out, reporting_errors
from ledger.log.key_file import ensure_signer
from ledger.runtime import describe_target, open_ledger
from ledger.store.database import ensure_database


def init(ctx: typer.Context) -> None:
    """Create or upgrade the ledger's tables and register every event schema.

    Idempotent: running it again applies only what is missing. With no
    LEDGER_DATABASE_URL it also starts the embedded PostgreSQL under LEDGER_HOME; with
    one naming a database that does not exist yet, it creates it if the role may
    (else it says how: createdb NAME). Creates the log's checkpoint signing key
    (LEDGER_SIGNING_KEY_FILE, default LEDGER_HOME/signing.key, named LEDGER_LOG_NAME) if
    there is none.
    """
    settings = options(ctx).settings()
    made_database = False
    with reporting_errors():
        if settings.database_url:
            made_database = ensure_database(
                settings.database_url,
                create=True,
                timeout=settings.pool_timeout,
                target=describe_target(settings),
            )
    with reporting_errors(), open_ledger(settings, prepare="none") as ledger:
        applied = ledger.init()
        head = ledger.head()
        versions = len(ledger.codec.registry.all_versions())
        signer, created = ensure_signer(settings.signing_key_path, settings.log_name)
    if made_database:
        out.print(f"created the database: {describe_target(settings)}")
    out.print(f"ledger ready: {describe_target(settings)}")
    if applied:
        out.print(f"applied migrations: {', '.join(applied)}")
    else:
        out.print("already up to date: no migration applied")
    out.print(f"{versions} schema versions registered; head at position {head.position}")
    made = "created" if created else "kept"
    out.print(f"signing key {made}: {settings.signing_key_path}")
    out.print(f"log public key: {signer.verifier.encode()}")
