"""Collections read lately, kept in the server's memory by clearance and position.

A collection at a position never changes (the events up to it are immutable), so a
walk pinned to a position reads it once, not once per page. Reading one is a pass over
the visible events; concurrent requests for the same one wait for a single read.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ledger.taxii.collection import Collection

KEPT = 4
"""Collections kept at most (the walks in progress at recent heads)."""


class Collections:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._found: OrderedDict[Hashable, Collection] = OrderedDict()
        self._reading: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], Collection]) -> Collection:
        """The collection of ``key``, read with ``read`` unless it is kept."""
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            with self._lock:
                found = self._found.get(key)
            if found is None:
                found = read()
                with self._lock:
                    self._found[key] = found
                    while len(self._found) > self.kept:
                        self._found.popitem(last=False)
            with self._lock:
                self._reading.pop(key, None)
            return found
