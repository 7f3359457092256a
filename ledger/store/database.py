"""The database a ledger URL names, before any pool opens: reachable at once or a clear
error at once, and, for ``ledger init``, created when it does not exist yet and the role
may create databases (as the embedded default creates its own)."""

from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ledger.errors import StoreUnavailable

MAINTENANCE = ("postgres", "template1")
"""Databases every server has, to ask from whether another one exists."""


def _name(url: str) -> str:
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise StoreUnavailable(f"LEDGER_DATABASE_URL is not a PostgreSQL URL: {exc}") from None
    return str(parts.get("dbname") or parts.get("user") or "")


def _maintenance(url: str, timeout: int) -> psycopg.Connection[Any] | None:
    """A connection to a database the server surely has, as the same role; None if none."""
    for name in MAINTENANCE:
        try:
            return psycopg.connect(
                make_conninfo(url, dbname=name), autocommit=True, connect_timeout=timeout
            )
        except psycopg.OperationalError:
            continue
    return None


def ensure_database(url: str, *, create: bool, timeout: float, target: str) -> bool:
    """Check that the database at ``url`` answers; when it does not exist, create it if
    ``create`` (and the role may), else say how. True when it was created now.
    StoreUnavailable, in one line and without waiting out a pool's retries, otherwise."""
    try:
        psycopg.connect(url, connect_timeout=max(1, int(timeout))).close()
        return False
    except psycopg.OperationalError as exc:
        reason = " ".join(part.strip() for part in str(exc).strip().splitlines())
        reason = reason.removeprefix("connection failed: ")
        failure = exc
    name = _name(url)
    admin = _maintenance(url, max(1, int(timeout)))
    if admin is None:
        raise StoreUnavailable(f"cannot connect to {target}: {reason}") from failure
    with admin:
        row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if row is not None:  # it exists: the role may not connect, or it is not accepting
            raise StoreUnavailable(f"cannot connect to {target}: {reason}") from failure
        how = f"create it with `createdb {name}` (or CREATE DATABASE {name} as a role that may)"
        if not create:
            raise StoreUnavailable(
                f"the database {name!r} does not exist on {target.rsplit('/', 1)[0]}: "
                f"`ledger init` creates it, or {how}"
            ) from None
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            raise StoreUnavailable(
                f"the database {name!r} does not exist and this role may not create it: "
                f"ask the server's owner to {how}"
            ) from None
        except psycopg.errors.DuplicateDatabase:  # another `ledger init` made it meanwhile
            return False
    return True
