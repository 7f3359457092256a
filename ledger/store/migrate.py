"""Creates or upgrades the ledger's tables: numbered SQL files, applied once, in order."""

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg

_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
_MIGRATION_LOCK = 7402587364120002


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The migrations shipped with this version of the package, in order."""
    found = []
    for entry in resources.files("ledger.store").joinpath("migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match["version"]), match["name"], entry.read_text()))
    return sorted(found, key=lambda m: m.version)


def migrate(conn: psycopg.Connection[Any]) -> list[Migration]:
    """Apply the missing migrations in one transaction; returns those applied."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS ledger")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS ledger.migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM ledger.migrations")}
        applied = []
        for migration in migrations():
            if migration.version in done:
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO ledger.migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied.append(migration)
        return applied


def pending(conn: psycopg.Connection[Any]) -> list[Migration]:
    """Migrations not yet applied (all of them on an empty database)."""
    exists = conn.execute("SELECT to_regclass('ledger.migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return migrations()
    done = {row[0] for row in conn.execute("SELECT version FROM ledger.migrations")}
    return [m for m in migrations() if m.version not in done]
