"""Secrets only the server reads (``ledger.server_secrets``, migration 0013), made by the
database at ``ledger init``: the same for every server and worker of one database."""

from ledger.errors import LedgerError
from ledger.store.connection import Conn


def server_secret(conn: Conn, name: str) -> bytes:
    """The 32-byte secret ``name`` (``page_tokens``)."""
    row = conn.execute(
        "SELECT secret FROM ledger.server_secrets WHERE name = %s", (name,)
    ).fetchone()
    if row is None:
        raise LedgerError(f"the ledger has no server secret {name!r}; run `ledger init`")
    return bytes(row[0])
