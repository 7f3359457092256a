"""The composition root: builds the ledger's adapters from configuration."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from ledger.codec.single_object import AvroCodec
from ledger.config import Settings
from ledger.errors import StoreUnavailable
from ledger.store.embedded import embedded_database
from ledger.store.postgres import PostgresLedger


def describe_target(settings: Settings) -> str:
    """Where the ledger is, for people: the embedded home or the server (no password)."""
    if settings.embedded:
        return f"embedded PostgreSQL under {settings.home.expanduser().resolve()}"
    assert settings.database_url is not None
    try:
        parts = conninfo_to_dict(settings.database_url)
    except Exception:
        return "the database at LEDGER_DATABASE_URL"
    host = parts.get("host") or "localhost"
    return f"PostgreSQL at {host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


@contextmanager
def open_ledger(
    settings: Settings | None = None, *, init: bool | None = None
) -> Iterator[PostgresLedger]:
    """The configured ledger, ready to use, closed on exit.

    ``init`` runs the migrations first; by default it does so for the embedded database
    (private to this user) and only checks readiness on an external server.
    """
    settings = settings if settings is not None else Settings()
    with ExitStack() as stack:
        if settings.embedded:
            url = stack.enter_context(embedded_database(settings.home))
        else:
            assert settings.database_url is not None
            url = settings.database_url
        pool: ConnectionPool = ConnectionPool(
            url,
            min_size=1,
            max_size=settings.pool_size,
            kwargs={"autocommit": True},
            open=False,
            name="ledger",
        )
        try:
            pool.open(wait=True, timeout=10)
        except Exception as exc:
            raise StoreUnavailable(f"cannot connect to {describe_target(settings)}: {exc}") from exc
        stack.callback(pool.close)
        ledger = PostgresLedger(pool, AvroCodec())
        if init if init is not None else settings.embedded:
            ledger.init()
        else:
            ledger.ensure_ready()
        yield ledger
