"""TAXII statuses in PostgreSQL, as the server's login keeps and reads them: a status is
its poster's alone, kept at least a day and deleted lazily after, never earlier."""

import asyncio
import uuid
from typing import Any

import psycopg

from ledger.store import taxii_statuses
from ledger.store.service_role import service_conninfo


def _run(database_url: str, work: Any) -> Any:
    async def go() -> Any:
        conninfo = service_conninfo(database_url)
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            user = await (await conn.execute("SELECT current_user")).fetchone()
            assert user == ("ledger_service",)
            return await work(conn)

    return asyncio.run(go())


def test_a_status_is_kept_for_its_poster_alone(database_url: str) -> None:
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())

    async def work(conn: Any) -> list[str | None]:
        await taxii_statuses.keep(conn, mine, "key-a", '{"id": "a", "z": 1, "b": 2}')
        await taxii_statuses.keep(conn, other, None, '{"id": "b"}')
        return [
            await taxii_statuses.find(conn, mine, "key-a"),
            await taxii_statuses.find(conn, mine, "key-b"),
            await taxii_statuses.find(conn, mine, None),
            await taxii_statuses.find(conn, other, None),
            await taxii_statuses.find(conn, other, "key-a"),
            await taxii_statuses.find(conn, "not a uuid", "key-a"),
        ]

    found = _run(database_url, work)
    assert found == ['{"id": "a", "z": 1, "b": 2}', None, None, '{"id": "b"}', None, None]


def test_statuses_past_a_day_go_lazily_and_younger_ones_stay(database_url: str) -> None:
    old, young, new = (str(uuid.uuid4()) for _ in range(3))
    with psycopg.connect(database_url, autocommit=True) as owner:
        for status_id, age in ((old, "25 hours"), (young, "23 hours")):
            owner.execute(
                "INSERT INTO ledger.taxii_statuses (status_id, key_id, created_at, status)"
                " VALUES (%s, 'k', clock_timestamp() - %s::interval, '{}')",
                (status_id, age),
            )

    async def work(conn: Any) -> list[str | None]:
        before = await taxii_statuses.find(conn, old, "k")
        await taxii_statuses.keep(conn, new, "k", "{}")
        return [before, *[await taxii_statuses.find(conn, s, "k") for s in (old, young, new)]]

    assert _run(database_url, work) == ["{}", None, "{}", "{}"]
