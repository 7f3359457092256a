"""One holder per database of a role only one process should play at a time (the
projection follower): a PostgreSQL session-level advisory lock held on a connection of
its own. Whoever holds it plays the role while its session lives; when that process
stops or dies, PostgreSQL ends the session and releases the lock, and a standby that
asks next takes over. Folds stay correct without it (each takes a lock of its own): the
election only spares the database the same work done twice."""

from typing import Any

import psycopg

FOLLOWER_LOCK = 7402587364120027
"""The advisory lock key of the projection follower (``ledger serve``, ``ledger project
--follow``): one per database. Beside the append, migration and checkpoint keys."""


class Election:
    """This process's candidacy for the lock ``key`` on the database at ``conninfo``."""

    def __init__(self, conninfo: str, key: int = FOLLOWER_LOCK, name: str = "ledger") -> None:
        self._conninfo = conninfo
        self._key = key
        self._name = name
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False

    def holds(self) -> bool:
        """Whether this process holds the lock now: taken if free, kept if still held
        (its session is checked alive). A database that cannot be reached raises
        ``psycopg.OperationalError``, and the lock counts as lost."""
        try:
            conn = self._connection()
            if self._held:
                conn.execute("SELECT 1")
                return True
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
            self._held = bool(row and row[0])
            return self._held
        except psycopg.Error:
            self.close()
            raise

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._held = False
            self._conn = psycopg.connect(
                self._conninfo, autocommit=True, application_name=self._name, connect_timeout=10
            )
        return self._conn

    def close(self) -> None:
        """Give up the lock (ending the session releases it) and the connection."""
        held, self._held = self._held, False
        if self._conn is not None:
            try:
                if held and not self._conn.closed:  # at once, not when the session ends
                    self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
            except psycopg.Error:
                pass  # the session is gone, and the lock with it
            finally:
                self._conn.close()
                self._conn = None
