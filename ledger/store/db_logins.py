"""Database logins with a clearance fixed by the ledger's owner (migration 0014).

For people and BI tools that query PostgreSQL directly: the login is a member of
``ledger_login`` (never of ``ledger_reader``), and row-level security looks its
clearance up in ``ledger.db_logins`` by ``session_user``, a row only the owner writes.
No setting the login may change (``SET``, ``set_config``, ``SET ROLE``) moves it.
"""

import re
import secrets

from psycopg import errors, sql

from ledger.domain.marking import Clearance
from ledger.errors import LedgerError
from ledger.store.clearance import array_text
from ledger.store.connection import Conn

LOGIN_ROLE = "ledger_login"

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_name(name: str) -> str:
    """``name`` if it may name a new login, else LedgerError saying why."""
    shown = name if len(name) <= 40 else f"{name[:40]}..."
    if not _NAME.match(name):
        raise LedgerError(
            f"database user {shown!r}: use 1 to 63 lowercase letters, digits and "
            "underscores, not starting with a digit"
        )
    if name.startswith(("pg_", "ledger_")):
        raise LedgerError(f"database user {shown!r}: names beginning pg_ or ledger_ are reserved")
    return name


def create_login(conn: Conn, name: str, clearance: Clearance) -> str:
    """As the owner: create login role ``name`` reading with ``clearance``; returns its
    password (random, shown once). LedgerError when the role exists already or this
    server has no ``ledger_login`` role (the owner could not create roles)."""
    check_name(name)
    if clearance.is_operator:  # pragma: no cover - Clearance.of never makes one
        raise LedgerError("a database user reads with a clearance, not as the operator")
    found = conn.execute(
        "SELECT to_regrole(%s) IS NOT NULL, to_regrole(%s) IS NOT NULL,"
        " to_regclass('ledger.db_logins') IS NOT NULL",
        (LOGIN_ROLE, name),
    ).fetchone()
    assert found is not None
    group, taken, table = found
    if not (group and table):
        raise LedgerError(
            f"this database has no {LOGIN_ROLE} role or ledger.db_logins table: run "
            "`ledger init` as a user who may create roles"
        )
    if taken:
        raise LedgerError(f"a database role named {name!r} exists already: choose another name")
    password = secrets.token_urlsafe(24)
    role = sql.Identifier(name)
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE"
                    " NOREPLICATION NOBYPASSRLS IN ROLE {}"
                ).format(role, sql.Literal(password), sql.Identifier(LOGIN_ROLE))
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(conn.info.dbname), role
                )
            )
            conn.execute(
                "INSERT INTO ledger.db_logins (role_name, clearance_rank, compartments)"
                " VALUES (%s, %s, %s::text[])",
                (name, clearance.rank, array_text(clearance.compartments)),
            )
    except errors.InsufficientPrivilege:
        raise LedgerError(
            "creating a database user needs the ledger's owner with CREATEROLE: "
            "run this command as the database user `ledger init` ran as"
        ) from None
    except errors.DuplicateObject:
        raise LedgerError(
            f"a database role named {name!r} exists already: choose another name"
        ) from None
    return password
