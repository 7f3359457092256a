"""Workbench sessions in PostgreSQL (``ledger.workbench_sessions``, migration 0013).

A session is a random token the browser holds in its cookie; the row keeps only the
token's SHA-256, the API key it stands for and until when. Every page looks the row up
with the key (``ledger.web.context.load_context``), so ending a session, or revoking its
key, takes effect on the next request of every worker and every server of the database.
"""

import hashlib
import secrets
from typing import Any

from psycopg import AsyncConnection

TOKEN_BYTES = 32


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


LIVE_SESSION_KEY = (
    "(SELECT s.key_id FROM ledger.workbench_sessions s WHERE s.token_hash = %(session)s"
    " AND s.ended_at IS NULL AND s.expires_at > clock_timestamp())"
)
"""The key id of a live session with the token hash ``%(session)s`` (NULL if none)."""


async def start(conn: AsyncConnection[Any], key_id: str, lifetime_seconds: int) -> str:
    """A new session for ``key_id``: its token (for the cookie only, never stored).
    Rows of sessions ended or expired a day ago are removed on the way."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM ledger.workbench_sessions"
            " WHERE coalesce(ended_at, expires_at) < clock_timestamp() - interval '1 day'"
        )
        await conn.execute(
            "INSERT INTO ledger.workbench_sessions (token_hash, key_id, expires_at)"
            " VALUES (%s, %s, clock_timestamp() + make_interval(secs => %s))",
            (token_hash(token), key_id, lifetime_seconds),
        )
    return token


async def end(conn: AsyncConnection[Any], token: str) -> None:
    """End the session of ``token`` now (nothing if it is unknown or ended already)."""
    await conn.execute(
        "UPDATE ledger.workbench_sessions SET ended_at = clock_timestamp()"
        " WHERE token_hash = %s AND ended_at IS NULL",
        (token_hash(token),),
    )
