"""The least-privilege login the server runs its queries as (migration 0013).

``ledger serve`` prepares the database as its owner (migrations, checks), then serves
every request through connections of ``ledger_service``: no superuser, not the owner of
the ledger schema, member only of the reader, writer and projector roles. A query run
by a request can then take no role beyond those (``set_config('role', 'postgres',
true)`` is refused by PostgreSQL), whatever the owner's login could do.
"""

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ledger.errors import LedgerError
from ledger.store.connection import Conn

SERVICE_ROLE = "ledger_service"
PROJECTOR_ROLE = "ledger_projector"

_GRANT_LOCK = 0x1ED6E6
"""Advisory lock for the database grants, so workers starting at once grant once."""


def service_conninfo(owner_conninfo: str, given: str | None = None) -> str:
    """How the server connects: ``given`` (``LEDGER_SERVICE_DATABASE_URL``), else the
    owner's server and database as ``ledger_service``, without the owner's password."""
    if given:
        return given
    parts = {k: v for k, v in conninfo_to_dict(owner_conninfo).items() if k != "password"}
    parts["user"] = SERVICE_ROLE
    return make_conninfo(**{k: str(v) for k, v in parts.items()})


_GRANT = """
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ledger_service', current_database());
    EXECUTE format('GRANT CREATE ON DATABASE %I TO ledger_projector', current_database());
END
$$
"""


def grant_database(conn: Conn) -> None:
    """As the owner: let the service connect and the projector create schemas in this
    database (grants on a database are not copied with it, e.g. by CREATE DATABASE ...
    TEMPLATE). Does nothing when they hold already or the roles do not exist."""
    row = conn.execute(
        "SELECT to_regrole(%s) IS NOT NULL AND to_regrole(%s) IS NOT NULL"
        " AND NOT (has_database_privilege(%s, current_database(), 'CONNECT')"
        " AND has_database_privilege(%s, current_database(), 'CREATE'))",
        (SERVICE_ROLE, PROJECTOR_ROLE, SERVICE_ROLE, PROJECTOR_ROLE),
    ).fetchone()
    if not row or not row[0]:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_GRANT_LOCK,))
        conn.execute(_GRANT)


_PRIVILEGES = """
SELECT r.rolname, r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls
       OR r.rolreplication,
       EXISTS (SELECT 1 FROM pg_roles o
                WHERE (o.rolsuper OR o.rolcreaterole OR o.rolbypassrls)
                  AND o.oid <> r.oid AND pg_has_role(r.oid, o.oid, 'MEMBER')),
       coalesce((SELECT pg_has_role(r.oid, n.nspowner, 'MEMBER')
                   FROM pg_namespace n WHERE n.nspname = 'ledger'), false)
  FROM pg_roles r WHERE r.rolname = session_user
"""


def least_privilege_problem(conn: Conn) -> str | None:
    """Why the connection's login is not a least-privilege one, or None when it is:
    no superuser or role-making attribute, no membership in a role holding one, and
    not the owner of the ledger schema (who could drop its triggers)."""
    row = conn.execute(_PRIVILEGES).fetchone()
    if row is None:  # pragma: no cover - session_user always has a row
        return "its login role is unknown"
    name, powerful, member, owner = row
    if powerful:
        return f"{name!r} is a superuser or may create roles, databases or bypass row security"
    if member:
        return f"{name!r} is a member of a role that is a superuser or may create roles"
    if owner:
        return f"{name!r} owns the ledger schema (it could drop its triggers and policies)"
    return None


def require_least_privilege(conn: Conn) -> None:
    """LedgerError unless the connection's login is a least-privilege one."""
    problem = least_privilege_problem(conn)
    if problem is not None:
        raise LedgerError(
            f"the server runs its queries as a least-privilege login, but {problem}; "
            f"use the {SERVICE_ROLE} role `ledger init` creates (LEDGER_SERVICE_DATABASE_URL "
            "names another)"
        )
