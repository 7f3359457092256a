"""The store of a worker process: a part of a split job (a parallel fold or verify)
opens the database its parent has readied, with a small pool of its own (a spawned
process shares no connection with its parent)."""

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg_pool import ConnectionPool

from ledger.codec.single_object import AvroCodec
from ledger.errors import StoreUnavailable
from ledger.store.postgres import PostgresLedger

WORKER_CONNECTIONS = 2
"""Connections a worker holds: one streams its range, one more for a lookup beside it."""


@contextmanager
def worker_store(
    conninfo: str, application_name: str, *, timeout: float = 10.0
) -> Iterator[PostgresLedger]:
    """The ledger at ``conninfo`` for one worker process, closed on exit; the database
    is taken as ready (its parent checked it), so nothing is migrated or checked."""
    pool: ConnectionPool = ConnectionPool(
        conninfo,
        min_size=1,
        max_size=WORKER_CONNECTIONS,
        timeout=timeout,
        kwargs={"autocommit": True, "application_name": application_name},
        open=False,
        name=application_name,
    )
    try:
        pool.open(wait=True, timeout=timeout)
    except Exception as exc:
        raise StoreUnavailable(f"a worker cannot connect to the ledger's database: {exc}") from exc
    try:
        yield PostgresLedger(pool, AvroCodec())
    finally:
        pool.close()
