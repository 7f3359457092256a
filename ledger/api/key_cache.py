"""Verified API keys held in memory, dropped the moment PostgreSQL announces any change.

Looking a key up costs a database round trip on every request; this cache saves it. It
holds a key only while its listener is subscribed to ``ledger_api_keys`` (a trigger
announces every insert, revocation or deletion there), and empties itself on every
announcement, so a revoked key is refused on the next request in every server process.
If the listening connection is lost, the cache empties and stands aside (every request
goes to the database) until it is listening again.
"""

import hashlib
import logging
import threading
import time
from typing import Any

import psycopg

from ledger.api.keys import ApiKey

log = logging.getLogger("ledger.api")

CHANNEL = "ledger_api_keys"


class KeyCache:
    def __init__(self, database_url: str, ttl: float = 300.0) -> None:
        self._url = database_url
        self._ttl = ttl
        self._entries: dict[bytes, tuple[ApiKey, float]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._listening = threading.Event()
        self._stop = threading.Event()
        self._connection: psycopg.Connection[Any] | None = None
        self._thread = threading.Thread(target=self._listen, name="key-cache", daemon=True)

    def start(self, wait: float = 5.0) -> None:
        """Start listening; returns once subscribed (or after ``wait`` seconds)."""
        self._thread.start()
        self._listening.wait(wait)

    def stop(self) -> None:
        self._stop.set()
        connection = self._connection
        if connection is not None:
            connection.cancel_safe()
        self._thread.join(5)

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def generation(self) -> int:
        """Pass to ``put``: a change announced in between makes the put a no-op."""
        return self._generation

    def get(self, key: str) -> ApiKey | None:
        if not self._listening.is_set():
            return None
        entry = self._entries.get(self._digest(key))
        if entry is None or time.monotonic() - entry[1] > self._ttl:
            return None
        return entry[0]

    def put(self, key: str, found: ApiKey, generation: int) -> None:
        with self._lock:
            if self._listening.is_set() and generation == self._generation:
                self._entries[self._digest(key)] = (found, time.monotonic())

    def _forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    self._connection = conn
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._forget()
                    self._listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._forget()
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.warning("API key cache stands aside, listener lost: %s", exc)
            finally:
                self._listening.clear()
                self._connection = None
                self._forget()
            self._stop.wait(1.0)
