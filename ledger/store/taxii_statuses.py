"""TAXII statuses in PostgreSQL (``ledger.taxii_statuses``, migration 0015).

A status is kept with the key that posted its envelope and answered to that key alone;
it is kept at least ``KEPT`` and deleted lazily (when a later status is kept) after.
"""

import uuid
from datetime import timedelta
from typing import Any

from psycopg import AsyncConnection

KEPT = timedelta(hours=24)
"""How long a status is kept at least (TAXII clients poll it after posting)."""


async def keep(conn: AsyncConnection[Any], status_id: str, key_id: str | None, status: str) -> None:
    """Keep ``status`` (its JSON) for ``key_id``; statuses past ``KEPT`` go on the way."""
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM ledger.taxii_statuses WHERE created_at < clock_timestamp() - %s",
            (KEPT,),
        )
        await conn.execute(
            "INSERT INTO ledger.taxii_statuses (status_id, key_id, status)"
            " VALUES (%s, %s, %s::json)",
            (uuid.UUID(status_id), key_id, status),
        )


async def find(conn: AsyncConnection[Any], status_id: str, key_id: str | None) -> str | None:
    """The JSON of the status ``status_id`` if ``key_id`` posted it, else None (a status
    of another key is one that is not)."""
    try:
        wanted = uuid.UUID(status_id)
    except ValueError:
        return None
    cursor = await conn.execute(
        "SELECT status::text FROM ledger.taxii_statuses"
        " WHERE status_id = %s AND key_id IS NOT DISTINCT FROM %s",
        (wanted, key_id),
    )
    row = await cursor.fetchone()
    return None if row is None else str(row[0])
